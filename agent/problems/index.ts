// Public surface of node-problem detection for the rest of the agent.
export { ProblemDetector, loadMonitorConfigs, expandConfigPaths, readBootId, SHIPPED_MONITORS_DIR, type ProblemDetectorOptions } from './detector.js';
export type { Condition, ConditionUpdate, ProblemEvent, Monitor, MonitorSink, Clock } from './types.js';
export type { BuiltinInputs, ThinPoolUsage } from './builtin.js';
export { parseMonitorConfig, loadMonitorFile, type MonitorConfig } from './config.js';
export { MonitorRegistry, defaultMonitorRegistry, type MonitorFactory, type MonitorDeps } from './registry.js';
export type { ConditionListener, EventListener } from './conditions.js';
export { problemGate, type GateResult, type ProblemSource } from './gate.js';

// Original file: proto/hostpilot/v1/fleet.proto

import type { BudgetHolder as _hostpilot_v1_BudgetHolder, BudgetHolder__Output as _hostpilot_v1_BudgetHolder__Output } from '../../hostpilot/v1/BudgetHolder.js';

export interface PoolStatus {
  'name'?: (string);
  'nodes'?: (number);
  'ready'?: (number);
  'updating'?: (number);
  'degraded'?: (number);
  'excluded'?: (number);
  'unreachable'?: (number);
  /**
   * Booted version -> how many nodes run it.
   */
  'versions'?: ({[key: string]: number});
  /**
   * The active rollout moving nodes of this pool ("" when none).
   */
  'rollout'?: (string);
  /**
   * The budget of that rollout for this pool (0 when no rollout moves it).
   */
  'budget'?: (number);
  'budget_used_by'?: (_hostpilot_v1_BudgetHolder)[];
  /**
   * The pool's rendered NodeConfig hash (its target) and, per applied hash, how many nodes run it.
   */
  'config_target'?: (string);
  'configs'?: ({[key: string]: number});
  /**
   * Remediation: the storm guard holds the pool (too many unhealthy at once), and an operator paused it.
   */
  'remediation_storm'?: (boolean);
  'remediation_paused'?: (boolean);
}

export interface PoolStatus__Output {
  'name': (string);
  'nodes': (number);
  'ready': (number);
  'updating': (number);
  'degraded': (number);
  'excluded': (number);
  'unreachable': (number);
  /**
   * Booted version -> how many nodes run it.
   */
  'versions': ({[key: string]: number});
  /**
   * The active rollout moving nodes of this pool ("" when none).
   */
  'rollout': (string);
  /**
   * The budget of that rollout for this pool (0 when no rollout moves it).
   */
  'budget': (number);
  'budget_used_by': (_hostpilot_v1_BudgetHolder__Output)[];
  /**
   * The pool's rendered NodeConfig hash (its target) and, per applied hash, how many nodes run it.
   */
  'config_target': (string);
  'configs': ({[key: string]: number});
  /**
   * Remediation: the storm guard holds the pool (too many unhealthy at once), and an operator paused it.
   */
  'remediation_storm': (boolean);
  'remediation_paused': (boolean);
}

// Original file: proto/hostpilot/v1/rollouts.proto

import type { BudgetHolder as _hostpilot_v1_BudgetHolder, BudgetHolder__Output as _hostpilot_v1_BudgetHolder__Output } from '../../hostpilot/v1/BudgetHolder.js';

export interface PoolBudget {
  'pool'?: (string);
  'budget'?: (number);
  'used_by'?: (_hostpilot_v1_BudgetHolder)[];
}

export interface PoolBudget__Output {
  'pool': (string);
  'budget': (number);
  'used_by': (_hostpilot_v1_BudgetHolder__Output)[];
}

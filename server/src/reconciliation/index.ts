export { compareBill } from './bill-comparison.js';
export type { BillDifference, DifferenceKind } from './bill-comparison.js';
export { createBillReconciler } from './bill-reconciler.js';
export type { BillReconciler, BillReconcilerDeps, BillReconciliation } from './bill-reconciler.js';
export { BILL_READY_HOUR_BEIJING, createBillSchedule } from './bill-schedule.js';
export type { BillSchedule, BillScheduleDeps } from './bill-schedule.js';

export {
  DrainController,
  type DrainEnd,
  type DrainEvents,
  type DrainOptions,
  type DrainResult,
} from './drain-controller';
export { installDrainSignals, type DrainSignalOptions, type SignalSource } from './drain-signals';
export { IllegalDrainTransitionError, type DrainState } from './drain-state';

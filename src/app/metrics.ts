// The process' Prometheus metrics (prom-client): the host's, the store's, the adapters' and
// Node's defaults, in one registry per process. The host and the adapters never import
// prom-client: they report through small hooks (HostMetrics, onAcknowledged) built here.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { SessionStore } from '../core/store-port.js';
import type { HostMetrics } from '../host/metrics.js';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface AppMetrics {
  readonly registry: Registry;
  /** The hooks GameHost reports to. */
  readonly host: HostMetrics;
  /** The store, with every call timed and its errors counted. */
  instrumentStore<S extends SessionStore>(store: S): S;
  /** Gauges read at scrape time (open windows, WebSocket connections). */
  gauge(name: string, help: string, read: () => number): void;
  /** The Discord handler's onAcknowledged hook. */
  interaction(kind: string, ms: number): void;
}

/** A fresh registry with the metrics GameGirl reports (`gamegirl_*`) and Node's defaults. */
export function createMetrics(labels: Record<string, string> = {}): AppMetrics {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });
  const presses = new Counter({
    name: 'gamegirl_presses_total',
    help: 'Choice presses by outcome (accepted, stale, rate_limited, refused, error)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const narration = new Histogram({
    name: 'gamegirl_narration_seconds',
    help: 'Narration time by kind (opening, turn) and result (ok or the failure kind)',
    labelNames: ['kind', 'result'],
    buckets: SECONDS,
    registers: [registry],
  });
  const narrationFailures = new Counter({
    name: 'gamegirl_narration_failures_total',
    help: 'Narrations that failed, by kind and failure (timeout, http, unreachable, …)',
    labelNames: ['kind', 'failure'],
    registers: [registry],
  });
  const closeToScene = new Histogram({
    name: 'gamegirl_close_to_scene_seconds',
    help: 'From a countdown window closing to its next scene shown (turns committed here)',
    buckets: SECONDS,
    registers: [registry],
  });
  const storeCalls = new Histogram({
    name: 'gamegirl_store_call_seconds',
    help: 'Store calls by method',
    labelNames: ['method'],
    buckets: SECONDS,
    registers: [registry],
  });
  const storeErrors = new Counter({
    name: 'gamegirl_store_errors_total',
    help: 'Store calls that failed, by method',
    labelNames: ['method'],
    registers: [registry],
  });
  const interactions = new Histogram({
    name: 'gamegirl_discord_ack_seconds',
    help: 'Discord interactions by kind, and how long their acknowledgement took',
    labelNames: ['kind'],
    buckets: SECONDS,
    registers: [registry],
  });
  const host: HostMetrics = {
    press: (outcome) => presses.inc({ outcome }),
    narration: (kind, ms, failure) => {
      narration.observe({ kind, result: failure ?? 'ok' }, ms / 1000);
      if (failure !== null) narrationFailures.inc({ kind, failure });
    },
    sceneShown: (ms) => closeToScene.observe(ms / 1000),
  };
  return {
    registry,
    host,
    instrumentStore: (store) => timedStore(store, storeCalls, storeErrors),
    gauge(name, help, read) {
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read());
        },
      });
    },
    interaction: (kind, ms) => interactions.observe({ kind }, ms / 1000),
  };
}

/** The store behind a proxy that times every async method call (close and sync getters pass). */
function timedStore<S extends SessionStore>(
  store: S,
  calls: Histogram<'method'>,
  errors: Counter<'method'>,
): S {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || typeof key !== 'string' || key === 'close')
        return typeof value === 'function' ? value.bind(target) : value;
      let fn = wrapped.get(key);
      if (fn === undefined) {
        fn = (...args: unknown[]) => {
          const out: unknown = value.apply(target, args);
          if (!(out instanceof Promise)) return out;
          const end = calls.startTimer({ method: key });
          return out.then(
            (v) => {
              end();
              return v;
            },
            (e: unknown) => {
              end();
              errors.inc({ method: key });
              throw e;
            },
          );
        };
        wrapped.set(key, fn);
      }
      return fn;
    },
  });
}

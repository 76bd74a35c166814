/** gamegirl/redis — Redis mode: the shared store and the driver that lets many host processes
 *  share channels (`new GameHost({ store, driver: new RedisTurnDriver({ store, connection }) })`). */
export {
  RedisStore,
  type RedisStoreOptions,
  type RedisTarget,
  type WindowEvent,
} from './store.js';
export { RedisTurnDriver, type RedisTurnDriverOptions } from './turn-driver.js';

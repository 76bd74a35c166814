import type { AdapterHost } from '../host/adapter-host.js';

/**
 * What the web console needs from the host: the adapter-facing host (GameHost implements it).
 * Results of commands are not used: every change reaches the page as a pushed view.
 */
export type ConsoleHost = AdapterHost;

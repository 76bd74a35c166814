import type { SessionDict } from '../../src/index.js';

/** A freshly booted game as a store stores it (for tests and benches that talk to a store). */
export function gameDict(
  gameId: string,
  channelId: string,
  countdownSeconds = 10,
  gameName = 'Test',
): SessionDict {
  const now = Date.now();
  return {
    schema_version: 1,
    game_id: gameId,
    game_name: gameName,
    channel_id: channelId,
    active: true,
    turn_number: 0,
    title_screen_url: '',
    players: {},
    pending_choices: {},
    countdown_seconds: countdownSeconds,
    window_deadline_ms: null,
    last_window: null,
    extra: {},
    created_at_ms: now,
    updated_at_ms: now,
  };
}

/**
 * The default title screen URL. A title screen is derived from the game, so the game stores
 * only a short URI naming it, never the picture: `gamegirl:title/<gameId>`. Whoever shows it
 * draws it from the game on demand — `renderTitlePng(game)` / `renderTitleSvg(game)` from the
 * package root, the web console at `/title/<gameId>.png`, the Discord bot as an attached PNG.
 * Hosts that serve their own images pass their own `titleScreen`.
 */
export const TITLE_URI_PREFIX = 'gamegirl:title/';

export function titleScreenUri(game: { gameId: string }): string {
  return `${TITLE_URI_PREFIX}${encodeURIComponent(game.gameId)}`;
}

/** True for a URI made by titleScreenUri (the picture is drawn from the game's name). */
export function isTitleScreenUri(url: string): boolean {
  return url.startsWith(TITLE_URI_PREFIX);
}

/** The default title of games saved before: the whole picture as an SVG `data:` URL. */
const OLD_DEFAULT_TITLE = 'data:image/svg+xml;base64,';

/** A stored title screen URL as read: an old saved picture becomes the URI it was drawn from. */
export function upgradeTitleUrl(url: string, gameId: string): string {
  return url.startsWith(OLD_DEFAULT_TITLE) ? titleScreenUri({ gameId }) : url;
}

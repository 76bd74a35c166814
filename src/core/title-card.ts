import { renderTitleSvg } from '../title/title-screen.js';

/**
 * The default title screen: the pixel-art title card as a self-contained `data:` URL, a real
 * image that needs no server and no fonts. Hosts that serve PNGs pass their own `titleScreen`.
 * (src/title/title-screen.ts is a pure leaf module: string building only, no I/O at import.)
 */
export function svgTitleScreen(game: { gameName: string }): string {
  const svg = renderTitleSvg(game.gameName || 'Untitled game', { scale: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

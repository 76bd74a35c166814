const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] as string);
}

/** A small title card as an SVG document (pure: no I/O). The game name is XML-escaped. */
export function titleCardSvg(gameName: string): string {
  const name = escapeXml(gameName || 'Untitled game');
  return [
    '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="288" viewBox="0 0 160 144">',
    '<rect width="160" height="144" fill="#0f380f"/>',
    '<rect x="6" y="6" width="148" height="132" rx="6" fill="#8bac0f"/>',
    '<text x="80" y="40" font-family="monospace" font-size="11" text-anchor="middle" fill="#0f380f">GameGirl Color</text>',
    `<text x="80" y="80" font-family="monospace" font-size="9" text-anchor="middle" fill="#306230">${name}</text>`,
    '<text x="80" y="118" font-family="monospace" font-size="7" text-anchor="middle" fill="#0f380f">PRESS A CHOICE</text>',
    '</svg>',
  ].join('');
}

/** The default title screen: the title card as a self-contained `data:` URL (no server needed). */
export function svgTitleScreen(game: { gameName: string }): string {
  return `data:image/svg+xml;base64,${Buffer.from(titleCardSvg(game.gameName)).toString('base64')}`;
}

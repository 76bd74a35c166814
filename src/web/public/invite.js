// The invite link of a private channel: `#channel?code=…` on this page's address. A player who
// may manage the channel (the booter of its game, anyone when no game runs or the channel allows
// it) copies it with a button; the server checks the code when someone joins with it.

import { state } from './connection.js';
import { show, toast } from './dom.js';

/** The link, or null when the channel is not private (no code) or nobody is joined. */
function inviteLink() {
  if (!state.joined || !state.code || !state.channel) return null;
  const code = encodeURIComponent(state.code);
  return `${location.origin}/#${encodeURIComponent(state.channel)}?code=${code}`;
}

function mayManage() {
  const view = state.view;
  if (!view || state.you === null) return false;
  if (state.anyoneMayManage || !view.game) return true;
  return view.status === 'ended' || view.game.bootedBy === state.you;
}

export function drawInvite() {
  show('invite-button', inviteLink() !== null && mayManage());
}

export async function copyInvite() {
  const link = inviteLink();
  if (link === null) return;
  try {
    await navigator.clipboard.writeText(link);
    toast('Invite link copied: whoever opens it may join this channel.');
  } catch {
    // No clipboard (a page served over plain http on the LAN is not a secure context): show it.
    toast(`Invite link: ${link}`);
  }
}

// The host's turn loop at its edges, through GameHost: what it reports to the metrics, the text it
// streams, a countdown whose close fails, and what the view shows around a failed or decided turn.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlakyStore } from '../helpers/flaky-store.js';
import { ALICE, BOB, CH, rig, SCRIPT, waitForView } from './_harness.js';

test('a countdown whose close fails for good shows why, and the channel stays usable', async () => {
  const store = new FlakyStore();
  const r = rig({ store });
  await r.host.boot(CH, ALICE, SCRIPT);
  await r.host.press(CH, ALICE, 0, 'Left');
  store.closeFailures.push(new Error('the disk is on fire'));
  r.clock.advance(10_000);
  const v = await waitForView(r.host, CH, (x) => x.error !== null);
  assert.equal(v.error, 'The countdown could not be closed: the disk is on fire');
  // A later press finds the window past its deadline and closes it: the turn goes on.
  await assert.rejects(r.host.press(CH, BOB, 0, 'Right'), { code: 'WINDOW_CLOSED' });
  const next = await waitForView(r.host, CH, (x) => x.status === 'playing' && x.turn === 1);
  assert.equal(next.error, null);
  assert.equal(next.scene?.text, 'Scene 1 after Left');
  await r.host.close();
});

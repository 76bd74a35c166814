import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gatewayRig, httpRig } from './_rig.js';
import { playThreeTurns } from './_scenario.js';

test('three turns, five players: the gateway and HTTP paths give the same outcome', async () => {
  const gateway = await gatewayRig();
  let viaGateway: Awaited<ReturnType<typeof playThreeTurns>>;
  try {
    viaGateway = await playThreeTurns(gateway);
  } finally {
    await gateway.close();
  }
  const http = await httpRig();
  let viaHttp: Awaited<ReturnType<typeof playThreeTurns>>;
  try {
    viaHttp = await playThreeTurns(http);
  } finally {
    await http.close();
  }
  assert.deepEqual(viaHttp, viaGateway);
  assert.equal(viaGateway.messages.length, 4);
  assert.deepEqual(viaGateway.told, [
    ['Left', 'Right', 'Left', 'Wait', 'Left'],
    ['Right', 'Right', 'Wait', 'Right', 'Left'],
    ['Wait', 'Left', 'Wait', 'Wait', 'Wait'],
  ]);
});

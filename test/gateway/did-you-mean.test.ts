import t from 'tap';
import { didYouMean } from '../../gateway/config/did-you-mean';

t.test('did-you-mean: close names only', async (t) => {
  const known = ['reconnectWindowMs', 'presenceTimeoutMs', 'keepaliveMs'];
  t.equal(didYouMean('reconnectwindowms', known), 'reconnectWindowMs', 'case only');
  t.equal(didYouMean('reconnectWindowMS', known), 'reconnectWindowMs');
  t.equal(didYouMean('keepalvieMs', known), 'keepaliveMs', 'a transposition');
  t.equal(didYouMean('timeout', known), undefined);
});

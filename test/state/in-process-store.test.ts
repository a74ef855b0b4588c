import t from 'tap';
import { InProcessSpace, InProcessStore } from '../../gateway/state/in-process-store';
import { storeContract } from './store-contract';

storeContract(t, async () => {
  const space = new InProcessSpace();
  return {
    a: new InProcessStore('gw-a', space),
    b: new InProcessStore('gw-b', space),
    c: new InProcessStore('gw-c', space),
    close: async () => {},
  };
});

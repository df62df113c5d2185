import test from 'ava';
import { columnize } from '../src/format/columnize.js';
import { tabwrite } from '../src/format/tabwriter.js';

test('columnize pads every column but the last to its widest cell plus two spaces', (t) => {
  const out = columnize([
    ['Node', 'Address', 'Status'],
    ['n1', '10.0.0.1:8301', 'alive'],
    ['longer-node', '10.0.0.22:8301', 'failed'],
  ]);
  t.is(out, 'Node         Address         Status\n' + 'n1           10.0.0.1:8301   alive\n' + 'longer-node  10.0.0.22:8301  failed');
});

test('columnize trims cells and leaves empty last cells without trailing spaces', (t) => {
  t.is(
    columnize([
      [' a ', 'b'],
      ['c', ''],
    ]),
    'a  b\nc  ',
  );
});

test('tabwrite pads cells to the widest plus six spaces, as Go tabwriter does for kv get -detailed', (t) => {
  t.is(
    tabwrite([
      ['Key', 'a'],
      ['ModifyIndex', '12'],
    ]),
    'Key              a\nModifyIndex      12',
  );
});

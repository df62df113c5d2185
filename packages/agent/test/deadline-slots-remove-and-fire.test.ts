import test from 'ava';

import { DeadlineSlots, type SlotItem } from '../src/http/deadline-slots.js';

interface Item extends SlotItem {
  id: number;
}

const item = (id: number): Item => ({ id, slot: undefined, slotPos: 0 });

test('items taken off a slot in any order never fire; the others fire once, not before their deadline', async (t) => {
  const fired: number[] = [];
  const firedAt: number[] = [];
  const slots = new DeadlineSlots<Item>(25, (i) => {
    fired.push(i.id);
    firedAt.push(Date.now());
  });
  const deadline = Date.now() + 60;
  const items = Array.from({ length: 50 }, (_, i) => item(i));
  for (const i of items) slots.add(i, deadline);
  // first, last and middle ones, so that removal swaps the last item into freed places
  for (const id of [0, 49, 17, 18, 30, 48, 1]) slots.remove(items[id] as Item);
  // removing twice is a no-op
  slots.remove(items[17] as Item);
  for (let i = 0; i < 100 && fired.length < 43; i++) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 60));
  t.deepEqual(
    [...fired].sort((a, b) => a - b),
    items.map((i) => i.id).filter((id) => ![0, 49, 17, 18, 30, 48, 1].includes(id)),
  );
  t.true(
    firedAt.every((at) => at >= deadline),
    'no item fires before its deadline',
  );
  t.true(
    items.every((i) => i.slot === undefined),
    'every item is off its slot',
  );
});

test('an item whose due handler removes a later item of the same slot keeps that one from firing', async (t) => {
  const fired: number[] = [];
  const a = item(1);
  const b = item(2);
  const slots = new DeadlineSlots<Item>(25, (i) => {
    fired.push(i.id);
    slots.remove(i.id === 1 ? b : a);
  });
  const deadline = Date.now() + 30;
  slots.add(a, deadline);
  slots.add(b, deadline);
  for (let i = 0; i < 50 && fired.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 50));
  t.deepEqual(fired, [1]);
});

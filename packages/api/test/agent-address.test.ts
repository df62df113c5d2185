import test from 'ava';
import { ConsulApi, addressFromEnv, baseUrlOf, tokenFromEnv } from '../src/index.js';

test('addresses without a scheme use http, and https is kept', (t) => {
  t.is(baseUrlOf('127.0.0.1:8500'), 'http://127.0.0.1:8500');
  t.is(baseUrlOf('http://10.0.0.1:8500/'), 'http://10.0.0.1:8500');
  t.is(baseUrlOf('https://consul.example:8501'), 'https://consul.example:8501');
});

test('an address with another scheme is refused', (t) => {
  t.throws(() => baseUrlOf('unix:///tmp/consul.sock'), { message: /unsupported scheme/ });
});

test('CONCORD_HTTP_ADDR wins over CONSUL_HTTP_ADDR, which wins over the default', (t) => {
  t.is(addressFromEnv({}), '127.0.0.1:8500');
  t.is(addressFromEnv({ CONSUL_HTTP_ADDR: '10.0.0.2:8500' }), '10.0.0.2:8500');
  t.is(addressFromEnv({ CONSUL_HTTP_ADDR: '10.0.0.2:8500', CONCORD_HTTP_ADDR: 'https://h:1' }), 'https://h:1');
  t.is(tokenFromEnv({ CONSUL_HTTP_TOKEN: 'a' }), 'a');
  t.is(tokenFromEnv({ CONSUL_HTTP_TOKEN: 'a', CONCORD_HTTP_TOKEN: 'b' }), 'b');
});

test('the client exposes its base URL', (t) => {
  t.is(new ConsulApi({ address: 'localhost:1234' }).baseUrl, 'http://localhost:1234');
});

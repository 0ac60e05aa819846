import { writeFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { api, startApiHarness, type ApiHarness } from './harness';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ temporal: 'unreachable' });
});
afterAll(() => h.close());

it('smoke', async () => {
  const spec = await api(h.app).get('/api/openapi.json');
  writeFileSync('/tmp/spec.json', JSON.stringify(spec.body, null, 2));
  await SwaggerParser.validate(structuredClone(spec.body));
});

// Load for the sample `web` service, run at each canary step with that step's stages (scalegate passes them as
// `options.stages`, replacing the defaults below) and TARGET_URL pointing at the service under test.
import { check, sleep } from 'k6';
import http from 'k6/http';

const target = __ENV.TARGET_URL || 'http://127.0.0.1:8080/';
const thinkTime = Number.parseFloat(__ENV.THINK_TIME_SECONDS || '0.1');

export const options = {
  stages: [
    { duration: '20s', target: 10 },
    { duration: '40s', target: 10 },
    { duration: '10s', target: 0 },
  ],
  thresholds: {
    http_req_failed: ['rate<0.01'],
    http_req_duration: ['p(95)<500'],
    checks: ['rate>0.99'],
  },
};

export default function () {
  const response = http.get(target, { tags: { name: 'home' } });
  check(response, {
    'status is 200': (r) => r.status === 200,
  });
  sleep(thinkTime);
}

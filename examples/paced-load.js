// Paced load: every VU sends RATE_PER_VU requests per second, so a stage's target of N VUs means
// N × RATE_PER_VU requests per second. scalegate passes the canary step's stages and TARGET_URL.
import { check, sleep } from 'k6';
import http from 'k6/http';

const target = __ENV.TARGET_URL || 'http://127.0.0.1:8080/';
const pace = 1 / Number.parseFloat(__ENV.RATE_PER_VU || '2');

export const options = {
  stages: [{ duration: '30s', target: 10 }],
  thresholds: {
    http_req_failed: ['rate<0.05'],
  },
};

export default function () {
  const started = Date.now();
  const response = http.get(target, { tags: { name: 'home' } });
  check(response, { 'status is 200': (r) => r.status === 200 });
  sleep(Math.max(0, pace - (Date.now() - started) / 1000));
}

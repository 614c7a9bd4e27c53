/**
 * A loopback imitation of the QuickPizza API, as much of it as the public QuickPizza k6 scripts use: the home page,
 * `POST /api/pizza` (needs `X-User-ID` or `Authorization: token …`), `POST /api/users/token/login` and
 * `POST /api/ratings`. It records who logged in and how many pizzas were asked for.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface QuickPizzaTarget {
  url: string;
  homeVisits: number;
  pizzas: number;
  ratings: number;
  logins: string[];
  close(): Promise<void>;
}

export async function startQuickPizza(): Promise<QuickPizzaTarget> {
  let nextPizza = 1;
  const state = { homeVisits: 0, pizzas: 0, ratings: 0, logins: [] as string[] };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const json = (status: number, body: unknown) =>
        res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      const authorized =
        req.headers['x-user-id'] !== undefined || /^token \w+$/.test(req.headers.authorization ?? '');
      const body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString()) : {};
      if (req.method === 'GET' && req.url === '/') {
        state.homeVisits++;
        res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><body>QuickPizza</body></html>');
      } else if (req.method === 'POST' && req.url === '/api/users/token/login') {
        if (body.password !== 'quickpizza') return json(401, { error: 'wrong credentials' });
        state.logins.push(String(body.username));
        json(200, { token: `t${String(body.username).replace(/\W/g, '')}` });
      } else if (req.method === 'POST' && req.url === '/api/pizza') {
        if (!authorized) return json(401, { error: 'unauthorized' });
        state.pizzas++;
        json(200, {
          pizza: {
            id: nextPizza++,
            name: 'Margherita',
            ingredients: [{ name: 'tomato' }, { name: 'basil' }],
          },
        });
      } else if (req.method === 'POST' && req.url === '/api/ratings') {
        if (!authorized || typeof body.pizza_id !== 'number') return json(400, { error: 'bad rating' });
        state.ratings++;
        json(201, { id: state.ratings, stars: body.stars, pizza_id: body.pizza_id });
      } else json(404, { error: 'not found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  });
}

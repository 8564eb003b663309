// One runLoad in a process of its own (forked by runLoadInChild): its clients' clocks then stop
// for no garbage collection but their own. Send times go back as epoch milliseconds, since each
// process's performance.now() starts at its own origin.
import { runLoad, type LoadTarget } from './http-load.js';

interface LoadOrder {
  target: LoadTarget;
  concurrency: number;
  limits: { seconds: number; maxRequests: number };
}

process.once('message', (order: LoadOrder) => {
  void runLoad(order.target, order.concurrency, order.limits).then((result) => {
    process.send!({ ...result, sentAtMs: result.sentAtMs.map((sentAt) => performance.timeOrigin + sentAt) }, () => process.exit(0));
  });
});

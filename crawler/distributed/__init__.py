"""Distributed crawling: many `newspipe crawl --redis URL` workers sharing one frontier in Redis.

Built on scrapy-redis (its scheduler, priority queue and duplicate filter), with:

- `keys.JobKeys`: every Redis key of a job, under NEWSPIPE_REDIS_PREFIX and NEWSPIPE_REDIS_JOB;
- `queue.ReliableQueue`: a popped request moves to the worker's processing set and is
  acknowledged only once its response (and the items from it) have been handled; a dead
  worker's set (heartbeat key expired) is put back in the queue by the others;
- `scheduler.ReliableScheduler`: scrapy-redis's scheduler on that queue, with the heartbeat,
  the reaper and the acknowledgements;
- `dupefilter.CycleDupeFilter`: request fingerprints scoped per enqueue cycle, so each
  `newspipe enqueue` fetches the feeds again while workers never fetch a URL twice in a cycle;
- `throttle.RedisThrottleMiddleware`: a per-domain slot in Redis, so a source's delay holds
  across all workers;
- `outage.RedisLink`: whether Redis answers; while it does not, workers hold their work in
  memory (one log line per outage) and send it when it returns;
- `seeds`: the discovery seeds `newspipe enqueue` pushes to the job's start key;
- `settings.worker_overrides`: the Scrapy settings that turn a crawl into a worker.

The worker spider is `crawler.spiders.worker.WorkerSpider` (name `worker`).
"""

from crawler.distributed.keys import JobKeys, worker_id_for

__all__ = ["JobKeys", "worker_id_for"]

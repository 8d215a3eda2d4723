"""Scrapy settings for newspipe: flat UPPER_CASE, in one place.

Scrapy's own settings come first, then newspipe's, each group with its switch
first. The CLI and `scrapy crawl -s NAME=value` override them per run. Every default is
declared here once: a read site names no value of its own, at most this module's
(`settings.getint("NAME", defaults.NAME)`, for a crawler built without these settings, as
scrapy-redis does with its defaults); tests/test_settings_declared.py checks it. Nothing below the application reads the environment: the CLI
(`newspipe.config`) merges newspipe.toml and NEWSPIPE_* variables into these settings.
"""

from __future__ import annotations

BOT_NAME = "newspipe"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
# Imports the module of the spider a crawl runs, not every spider's (crawler.spiderloader).
SPIDER_LOADER_CLASS = "crawler.spiderloader.NamedModuleSpiderLoader"

USER_AGENT = "newspipe/0.1 (+https://github.com/newspipe/newspipe; news archiving bot)"
ROBOTSTXT_OBEY = True
# robots.txt is fetched once per host per run and kept in the database (crawler.robots): a run
# within this many seconds of the last check reads the stored copy, a later one asks
# conditionally (a 304 keeps it). 0: nothing kept across runs.
NEWSPIPE_ROBOTS_TTL = 24 * 3600.0

# Politeness: per-domain concurrency and a delay, adapted by AutoThrottle.
# Per-source values from the sources file become DOWNLOAD_SLOTS entries; a source's `delay` is
# kept as it is (AutoThrottle adapts only hosts without one, crawler.extensions.throttle), and
# the start delay is capped at DOWNLOAD_DELAY (Scrapy would start at the larger of the two).
# The whole crawl's requests in flight: the sources' `concurrency` summed (CONCURRENT_REQUESTS_PER_DOMAIN
# for a source without one), at least CONCURRENT_REQUESTS, at most NEWSPIPE_CONCURRENCY_MAX (0: no
# ceiling). NEWSPIPE_CONCURRENCY (`crawl --concurrency N`) > 0 sets it instead; with 0/None a
# CONCURRENT_REQUESTS given for the run (-s) is kept. Requests waiting out a host's delay hold places.
CONCURRENT_REQUESTS = 16
NEWSPIPE_CONCURRENCY = None
NEWSPIPE_CONCURRENCY_MAX = 256
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# Spider output handled in parallel per response: Scrapy starts this many asyncio tasks for every
# response, and an article page yields one item (the default, 100, is a measurable cost per page).
CONCURRENT_ITEMS = 16
DOWNLOAD_DELAY = 0.5
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

# Scrapy's HTTP/1.1 client, keeping a connection alive per request a source may run at once
# (Scrapy's keeps CONCURRENT_REQUESTS_PER_DOMAIN; see crawler.handlers).
DOWNLOAD_HANDLERS = {
    "http": "crawler.handlers.PooledHTTPDownloadHandler",
    "https": "crawler.handlers.PooledHTTPDownloadHandler",
}
DOWNLOAD_TIMEOUT = 30
# Name lookups refuse loopback/private/link-local answers when the connection is made (DNS
# rebinding); NEWSPIPE_ALLOW_NETWORKS opens named networks (CIDR strings), e.g. a test site's
# ["127.0.0.1/32"]. The CLI also takes --allow-network and $NEWSPIPE_ALLOW_NETWORKS.
TWISTED_DNS_RESOLVER = "crawler.resolver.AddressGuardResolver"
NEWSPIPE_ALLOW_NETWORKS: list[str] = []
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024

# HTTP proxies by host: {"host.example": "http://127.0.0.1:3128"} (the host and its subdomains;
# see crawler.proxy). A source's `proxy` field in the sources file adds its hosts.
NEWSPIPE_PROXIES: dict[str, str] = {}

# Retries: 429 and 5xx with exponential backoff that honours Retry-After.
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
NEWSPIPE_RETRY_BACKOFF_BASE = 1.0  # seconds; doubled per attempt
NEWSPIPE_RETRY_BACKOFF_MAX = 60.0  # also caps Retry-After

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    # NEWSPIPE_PROXIES into meta["proxy"], just before Scrapy's HttpProxyMiddleware (750) reads it.
    "crawler.proxy.ProxyRoutingMiddleware": 740,
    # robots.txt once per host, shared with sitemap discovery and kept across runs (see crawler.robots).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.robots.RobotsTxtMiddleware": 100,
    # Redirect hops that leave the source's domains, refused before robots.txt or a connection.
    "crawler.redirects.OffsiteRedirectMiddleware": 50,
    # Per-domain delay across distributed workers; switched off unless NEWSPIPE_REDIS_URL is set.
    "crawler.distributed.throttle.RedisThrottleMiddleware": 950,
    # No request to loopback, private, link-local... addresses (see crawler.netguard): after retries
    # (a refusal is final), before DownloaderStats (a refused request was never sent).
    "crawler.netguard.PrivateNetworkMiddleware": 570,
    # A connection failure: one line per host; no retries on a host that never answered (see
    # crawler.unreachable). Inside the retry middleware: it sees each attempt's exception first.
    "crawler.unreachable.UnreachableHostsMiddleware": 560,
}

ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 100,
    "pipelines.language.LanguageFilterPipeline": 150,
    "pipelines.dates.NormaliseDatesPipeline": 200,
    "pipelines.dedup.DedupPipeline": 300,
    "pipelines.store.StorePipeline": 400,
}

EXTENSIONS = {
    "crawler.extensions.ItemErrorCounter": 50,  # item pipeline errors fail the run (crawler.outcome)
    "crawler.extensions.CrawlRunRecorder": 100,
    "crawler.extensions.ProgressDisplay": 200,
    "crawler.extensions.WarcRecorder": 300,
    "crawler.extensions.metrics.PrometheusMetrics": 400,
    # The JOBDIR (`--job-dir`) as JSON, never pickle: Scrapy's SpiderState and disk queues would
    # run code planted in the job directory (see crawler.jobdir).
    "scrapy.extensions.spiderstate.SpiderState": None,
    "crawler.extensions.spiderstate.JsonSpiderState": 0,
    # AutoThrottle that keeps each source's own `delay` (never raises it, e.g. above 0).
    "scrapy.extensions.throttle.AutoThrottle": None,
    "crawler.extensions.throttle.SourceAutoThrottle": 0,
}
SCHEDULER_DISK_QUEUE = "crawler.jobdir.JsonLifoDiskQueue"
SCHEDULER_START_DISK_QUEUE = "crawler.jobdir.JsonFifoDiskQueue"

LOG_LEVEL = "INFO"
LOG_FORMATTER = "crawler.logformatter.NewspipeLogFormatter"  # names the URL instead of dumping the page
# Scrapy's own default since 2.19, declared so 2.18 (which has no such setting and always installs
# its root handler) reads the same in `crawler.runner`; the JSON log format turns it off (on 2.18
# through CrawlerProcess's install_root_handler argument, see `crawler.runner._crawler_process`).
LOG_INSTALL_ROOT_HANDLER = True
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote-control HTTP server runs code sent to it: never wanted on a crawler.
REMOTE_CONTROL_ENABLED = False
# Scrapy checks every generator callback for a `return value` by reading and parsing its source;
# its cache is keyed weakly by the bound method, which dies with each request, so the check ran
# again about once per 5 responses at about 1.2 ms each (a few % of a crawl's CPU). Our callbacks
# are checked once, by tests/test_spider_callbacks.py, instead.
WARN_ON_GENERATOR_RETURN_VALUE = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"

# newspipe: sources and the crawl window.
NEWSPIPE_SOURCES_FILE = "examples/sources.toml"
NEWSPIPE_SOURCE_NAMES: list[str] = []  # empty: every source in the file
NEWSPIPE_SINCE = None  # ISO date or datetime; entries dated before are skipped
NEWSPIPE_UNTIL = None
NEWSPIPE_SECTION_DEPTH = 2  # section pages: how many pagination/sub-section hops
NEWSPIPE_MAX_PAGINATION = 5
# Bounded fan-out (per-source `max_links_per_page` / `max_requests` override them; 0: no cap):
# article links taken from one section page, and requests discovered for one source in a run
# (articles, sitemap children, further section pages; in a worker, per enqueue cycle).
NEWSPIPE_MAX_LINKS_PER_PAGE = 500
NEWSPIPE_MAX_REQUESTS_PER_SOURCE = 20_000
# `backfill --cdx` (crawler.spiders.cdx): seconds between requests to the one archive host.
NEWSPIPE_CDX_DELAY = 1.0

# Sources started at once: the next source's seeds are queued when one of these is answered (or
# the downloader has room), so articles follow their feed within seconds however many sources
# there are (crawler.spiders.startwindow). 0: CONCURRENT_REQUESTS.
NEWSPIPE_START_WINDOW = 0

# newspipe: storage.
NEWSPIPE_DATABASE_URL = None  # None: sqlite:///newspipe.db (the CLI sets it from --db, newspipe.toml or the environment)
NEWSPIPE_STORE_BATCH_SIZE = 50
# Hold each item until its batch is committed, so its request counts as done only then (set for
# distributed workers, which acknowledge requests in Redis when done); a part-filled batch is then
# written after NEWSPIPE_STORE_BATCH_SECONDS.
NEWSPIPE_STORE_HOLD_ITEMS = False
NEWSPIPE_STORE_BATCH_SECONDS = 1.0
# Where articles go when the database refuses them (one JSONL file per database); loaded back
# by the next run or `newspipe db replay`. Empty: no spool (a refused batch fails the run).
NEWSPIPE_SPOOL_DIR = "newspipe-spool"
# Seconds one statement of the crawl may take: PostgreSQL's statement_timeout for the crawl's own
# transactions, SQLite's busy timeout. Database work still without an answer after twice this (a
# server or middlebox that accepts the connection and goes silent) is abandoned: its connection is
# cut, a store batch is retried and then spooled. 0: no limit.
NEWSPIPE_STATEMENT_TIMEOUT = 60.0
# Set by the runner to the run lock's token, so the run's record names its lock and a run found
# dead by a lock takeover is closed as "killed" (storage.locks).
NEWSPIPE_RUN_LOCK_TOKEN = None

# newspipe: extraction.
NEWSPIPE_MIN_WORDS = 50  # pages with less body text are not articles
NEWSPIPE_EXTRACTION_OVERRIDES = None  # TOML file of per-site extraction rules ([[site]] tables)
NEWSPIPE_EXTRACT_TIME_BUDGET = 10.0  # CPU seconds one page may take to extract (0: no limit); then a counted skip

# newspipe: web archives. NEWSPIPE_WARC_DIR: write every download to a WARC file there
# (`crawl --warc-dir`); NEWSPIPE_WARC_MAX_RECORD: largest archived body imported (0: DOWNLOAD_MAXSIZE).
NEWSPIPE_WARC_DIR = None
NEWSPIPE_WARC_MAX_RECORD = 0

# newspipe: keep only these languages (ISO codes; empty: all), e.g. for CC-NEWS imports.
NEWSPIPE_LANGUAGES: list[str] = []

# newspipe: stories. Copies whose body is this similar (estimated Jaccard of word 5-shingles)
# to a stored article join its story; 0 switches near-duplicate detection off. The MinHash
# index covers articles stored within the horizon (0: all). Duplicates are stored in full
# ("keep") or as URL and metadata only ("link").
NEWSPIPE_NEAR_DUP_THRESHOLD = 0.8
NEWSPIPE_NEAR_DUP_HORIZON_DAYS = 30.0
NEWSPIPE_DUPLICATE_POLICY = "keep"
# URLs the dedup pipeline remembers to drop repeats within a run (the least recently seen are
# forgotten past this many, so a long import's memory stays flat); a repeat it forgot goes on to
# the store, which finds the URL stored and counts it as `newspipe/store/existing`.
NEWSPIPE_DEDUP_RECENT_URLS = 20_000

# newspipe: incremental crawls. Article URLs already stored are not requested again, except
# articles first stored within the revisit window, which are re-checked (conditionally) for
# new versions; 0 switches revisits off. Pages found not to be articles (or gone) are not
# requested again for NEWSPIPE_RECHECK_DAYS. Feeds, sitemaps and sections are requested with
# If-None-Match / If-Modified-Since when NEWSPIPE_CONDITIONAL_REQUESTS is on.
NEWSPIPE_INCREMENTAL = True
NEWSPIPE_REVISIT_DAYS = 2.0
# At most this many revisits per run, the newest first (0: no cap); the rest are counted in
# newspipe/discovery/revisits_capped and logged.
NEWSPIPE_REVISIT_MAX = 10_000
NEWSPIPE_RECHECK_DAYS = 7.0
NEWSPIPE_CONDITIONAL_REQUESTS = True
# The run lock (`newspipe crawl`): heartbeat period and when a silent holder counts as dead.
NEWSPIPE_LOCK_HEARTBEAT_SECONDS = 30.0
NEWSPIPE_LOCK_STALE_SECONDS = 300.0

# newspipe: distributed workers (`newspipe crawl --redis URL`, `newspipe enqueue`; see
# crawler.distributed). Keys live under <prefix>:<job>:. Idle timeout: a worker stops after
# the whole job has been quiet this many seconds (0: never). A worker whose heartbeat is older
# than the TTL is taken for dead and its requests in flight go back to the queue. Each
# enqueue cycle's duplicate filter is kept CYCLE_TTL seconds.
NEWSPIPE_REDIS_URL = None
NEWSPIPE_REDIS_PREFIX = "newspipe"
NEWSPIPE_REDIS_JOB = "default"
NEWSPIPE_REDIS_WORKER_ID = None  # None: <hostname>-<pid>; give a stable one to recover at restart
NEWSPIPE_REDIS_IDLE_TIMEOUT = 0
NEWSPIPE_REDIS_HEARTBEAT_TTL = 15.0
NEWSPIPE_REDIS_CYCLE_TTL = 7 * 24 * 3600
NEWSPIPE_REDIS_THROTTLE_MAX_WAIT = 600.0
# Round trips to Redis are batched: a worker takes this many requests from the queue at a time
# (they wait in its processing set, given back if it stops or dies) and pushes new ones in
# batches of up to PUSH_BATCH (see crawler.distributed.scheduler).
NEWSPIPE_REDIS_PREFETCH = 8
NEWSPIPE_REDIS_PUSH_BATCH = 100
# Redis outages: a command unanswered after SOCKET_TIMEOUT seconds counts as Redis being away;
# a worker then holds its new requests and acknowledgements in memory and tries again every
# RETRY_INTERVAL seconds (see crawler.distributed.outage).
NEWSPIPE_REDIS_SOCKET_TIMEOUT = 10.0
NEWSPIPE_REDIS_RETRY_INTERVAL = 5.0

# newspipe: Prometheus metrics (crawler.extensions.metrics), off unless a port is given
# (`crawl --metrics-port`); the address the endpoint listens on, and how often the stats are copied.
NEWSPIPE_METRICS_PORT = None
NEWSPIPE_METRICS_ADDRESS = "127.0.0.1"
NEWSPIPE_METRICS_INTERVAL = 1.0
# A Redis URL without a password is refused for a host that is not loopback unless this is set
# (`--allow-insecure-redis`): whoever can write to the job's Redis steers every worker.
NEWSPIPE_REDIS_ALLOW_INSECURE = False

# newspipe: the live progress display (switched on by the CLI).
NEWSPIPE_PROGRESS = False

# newspipe: `crawl --dry-run` (newspipe.dryrun): article requests are written to this JSON-lines
# file instead of being fetched (None: off; set by the CLI with pipelines and run recording off).
NEWSPIPE_DRY_RUN_FILE = None

# newspipe: log lines as "text" (Scrapy's format) or "json" (one object per line for log shippers:
# time, level, logger, message; `--log-format json`).
NEWSPIPE_LOG_FORMAT = "text"

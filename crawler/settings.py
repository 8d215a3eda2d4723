"""Scrapy settings for newspipe: flat UPPER_CASE, in one place.

Scrapy's own settings come first, then newspipe's, each group with its switch
first. The CLI and `scrapy crawl -s NAME=value` override them per run; nothing
here reads the environment (the database URL falls back to
$NEWSPIPE_DATABASE_URL when the run starts, not at import).
"""

from __future__ import annotations

BOT_NAME = "newspipe"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = "newspipe/0.1 (+https://github.com/newspipe/newspipe; news archiving bot)"
ROBOTSTXT_OBEY = True

# Politeness: per-domain concurrency and a delay, adapted by AutoThrottle.
# Per-source values from the sources file become DOWNLOAD_SLOTS entries.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# Spider output handled in parallel per response: Scrapy starts this many asyncio tasks for every
# response, and an article page yields one item (the default, 100, is a measurable cost per page).
CONCURRENT_ITEMS = 16
DOWNLOAD_DELAY = 0.5
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

# Scrapy's HTTP/1.1 client, keeping a connection alive per request a source may run at once
# (Scrapy's keeps CONCURRENT_REQUESTS_PER_DOMAIN; see crawler.handlers).
DOWNLOAD_HANDLERS = {
    "http": "crawler.handlers.PooledHTTPDownloadHandler",
    "https": "crawler.handlers.PooledHTTPDownloadHandler",
}
DOWNLOAD_TIMEOUT = 30
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
    # Scrapy's lets requests that waited for robots.txt through unchecked (see crawler.middlewares).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsTxtMiddleware": 100,
    # Per-domain delay across distributed workers; switched off unless NEWSPIPE_REDIS_URL is set.
    "crawler.distributed.throttle.RedisThrottleMiddleware": 950,
}

ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 100,
    "pipelines.language.LanguageFilterPipeline": 150,
    "pipelines.dates.NormaliseDatesPipeline": 200,
    "pipelines.dedup.DedupPipeline": 300,
    "pipelines.store.StorePipeline": 400,
}

EXTENSIONS = {
    "crawler.extensions.CrawlRunRecorder": 100,
    "crawler.extensions.ProgressDisplay": 200,
    "crawler.extensions.WarcRecorder": 300,
}

LOG_LEVEL = "INFO"
LOG_FORMATTER = "crawler.logformatter.NewspipeLogFormatter"  # names the URL instead of dumping the page
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote-control HTTP server runs code sent to it: never wanted on a crawler.
REMOTE_CONTROL_ENABLED = False
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

# newspipe: storage.
NEWSPIPE_DATABASE_URL = None  # None: $NEWSPIPE_DATABASE_URL, else sqlite:///newspipe.db
NEWSPIPE_STORE_BATCH_SIZE = 50
# Hold each item until its batch is committed, so its request counts as done only then (set for
# distributed workers, which acknowledge requests in Redis when done); a part-filled batch is then
# written after NEWSPIPE_STORE_BATCH_SECONDS.
NEWSPIPE_STORE_HOLD_ITEMS = False
NEWSPIPE_STORE_BATCH_SECONDS = 1.0
# Where articles go when the database refuses them (one JSONL file per database); loaded back
# by the next run or `newspipe db replay`. Empty: no spool (a refused batch fails the run).
NEWSPIPE_SPOOL_DIR = "newspipe-spool"

# newspipe: extraction.
NEWSPIPE_MIN_WORDS = 50  # pages with less body text are not articles
NEWSPIPE_EXTRACTION_OVERRIDES = None  # TOML file of per-site extraction rules ([[site]] tables)

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

# newspipe: incremental crawls. Article URLs already stored are not requested again, except
# articles first stored within the revisit window, which are re-checked (conditionally) for
# new versions; 0 switches revisits off. Pages found not to be articles (or gone) are not
# requested again for NEWSPIPE_RECHECK_DAYS. Feeds, sitemaps and sections are requested with
# If-None-Match / If-Modified-Since when NEWSPIPE_CONDITIONAL_REQUESTS is on.
NEWSPIPE_INCREMENTAL = True
NEWSPIPE_REVISIT_DAYS = 2.0
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

# newspipe: the live progress display (switched on by the CLI).
NEWSPIPE_PROGRESS = False

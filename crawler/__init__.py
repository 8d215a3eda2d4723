"""Crawling: Scrapy settings, the Article item, the sources registry, spiders, middlewares and the CLI."""

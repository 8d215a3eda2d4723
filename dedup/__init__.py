"""Deduplication and stories: which stored article a new one copies, and which copy leads its story.

Above `storage/` (it uses the repository, the bulk writes and the band-key queries) and below
`pipelines/` and `crawler/` (the store pipeline and `newspipe db replay` call it); no Scrapy.
May import `storage` and libraries only.

- `fingerprint`: the content hash of a normalised body (exact copies);
- `signatures`: MinHash signatures of bodies, and their estimated similarity;
- `index`: the near-duplicate index every process shares (LSH band keys in the database);
- `policy`: the rules as pure functions (which copy leads a story, near-identical pairs in a batch);
- `stories`: `Stories`, storing articles as stories in one transaction per batch.
"""

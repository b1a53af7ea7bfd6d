"""The platform app's pages, one module per thing shown: platforms, statistics, types (平台类型),
batches (认定批次), applications (平台申报), evaluations (绩效评价) and outreach (科普活动). urls.py imports
the modules directly."""

"""Pages of county reporting, one module for each thing they show: the county task list, the monthly
filings, the bureau's board, the monthly reports, notices, the research-staff targets and the annual review
(urls.py imports the modules)."""

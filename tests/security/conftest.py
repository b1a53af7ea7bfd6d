# The browser fixtures (headless chromium through Playwright) of tests/browser.
from tests.browser.conftest import browser, login, page  # noqa: F401

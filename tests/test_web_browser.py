"""kg-resolve's pages in a real headless browser (issue 18): the report renders
with its charts, the query page runs a shipped query and shows its rows, the
review page records a decision by keyboard and undoes it.

Debian's chromium and chromedriver drive them (``.ci/install-browser`` installs
both; CI runs it).  Without them these tests are skipped, saying so."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from _kgfixtures import EXAMPLES, describe, run, serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="no chromium and chromedriver installed (run .ci/install-browser as root)")

WAIT = 60


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver",
                                    reason="selenium is not installed (pip install -e '.[test]')")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1200,1600", "--hide-scrollbars"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver, condition, what: str):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT).until(condition, message=f"waiting for {what}")


@pytest.fixture(scope="module")
def report_file(example_store, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "report.html"
    res = run("report", "--store", example_store, "-o", out, "--gold", EXAMPLES / "gold.csv")
    assert res.exit_code == 0, describe(res)
    return out


def test_report_renders_with_its_charts(browser, report_file):
    from selenium.webdriver.common.by import By

    browser.get(report_file.as_uri())
    assert browser.find_element(By.TAG_NAME, "h1").text == "kg-resolve report"
    charts = browser.find_elements(By.CSS_SELECTOR, "figure.chart img")
    assert len(charts) == 7
    # every chart decoded and drawn at a real size
    wait_for(browser, lambda d: all(d.execute_script(
        "return arguments[0].complete && arguments[0].naturalWidth > 100", img)
        for img in charts), "the charts to load")
    for img in charts:
        assert img.size["width"] > 300 and img.size["height"] > 100, img.get_attribute("alt")
    boxes = browser.find_elements(By.CSS_SELECTOR, ".prisma .box .n")
    assert [b.text for b in boxes][-1] == "10"  # the example's ten works
    assert browser.find_elements(By.CSS_SELECTOR, "#largest table tbody tr")


@pytest.fixture(scope="module")
def endpoint(example_store):
    with serving(example_store) as url:
        yield url.removesuffix("/sparql")


def test_query_page_runs_a_shipped_query(browser, endpoint):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(endpoint + "/")
    build = browser.find_element(By.ID, "build").text
    assert len(build) == 16
    Select(browser.find_element(By.ID, "pick")).select_by_value("multi-record-works")
    assert "# title: Works with more than one record" in browser.find_element(
        By.ID, "editor").get_attribute("value")
    browser.find_element(By.ID, "run").click()
    rows = wait_for(browser, lambda d: d.find_elements(
        By.CSS_SELECTOR, "#result-table tbody tr"), "the result rows")
    assert len(rows) == 9  # the example's nine works with more than one record
    header = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#result-table th")]
    assert header[:2] == ["work", "records"]
    status = browser.find_element(By.ID, "status").text
    assert status.startswith("9 rows") and build in status
    # a work id links to its own page, which names the build too
    link = rows[0].find_element(By.CSS_SELECTOR, "td a")
    work = link.text
    link.click()
    wait_for(browser, lambda d: d.find_elements(By.ID, "iri"), "the work's page")
    assert browser.find_element(By.ID, "iri").text.endswith(f"/id/work/{work}")
    assert browser.find_element(By.ID, "build").text == build


def test_query_page_binds_parameters(browser, endpoint):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(endpoint + "/")
    Select(browser.find_element(By.ID, "pick")).select_by_value("works-by-author")
    browser.find_element(By.ID, "param-author").send_keys("simko")
    browser.find_element(By.ID, "run").click()
    rows = wait_for(browser, lambda d: d.find_elements(
        By.CSS_SELECTOR, "#result-table tbody tr"), "the result rows")
    assert len(rows) >= 1 and "Šimko" in rows[0].text
    assert '"simko"' in browser.find_element(By.ID, "editor").get_attribute("value")


@pytest.fixture(scope="module")
def review_endpoint(tmp_path_factory):
    """``kg serve --review`` over an example store of its own (the test writes
    its decisions)."""
    from _kgfixtures import build

    store = tmp_path_factory.mktemp("browser-review") / "store"
    res = build(store)
    assert res.exit_code == 0, describe(res)
    with serving(store, "--review") as url:
        yield url.removesuffix("/sparql"), store


def stored_decisions(store: Path) -> list[tuple[str, str, str]]:
    from kg.decisions import name, read

    return [(name(d.a), name(d.b), d.verdict) for d in read(store)]


def test_review_page_records_a_decision_by_keyboard(browser, review_endpoint):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    url, store = review_endpoint
    browser.get(url + "/review")
    progress = browser.find_element(By.ID, "progress")
    assert progress.text.startswith("Item 1 of ")
    total = int(progress.text.rsplit(" ", 1)[1])
    assert browser.find_element(By.ID, "mode").text == "records decisions"
    assert len(browser.find_element(By.ID, "build").text) == 16
    first = (browser.find_element(By.ID, "link-a").text,
             browser.find_element(By.ID, "link-b").text)
    assert all(":" in r for r in first)
    # the two records side by side, where they differ highlighted, and the evidence
    assert browser.find_elements(By.CSS_SELECTOR, "#pair tbody tr.differs")
    assert browser.find_elements(By.CSS_SELECTOR, "#pair tbody tr.differs mark")
    assert browser.find_elements(By.CSS_SELECTOR, "#evidence tbody tr")
    assert stored_decisions(store) == []

    def press(key: str, then: str) -> None:
        ActionChains(browser).send_keys(key).perform()
        wait_for(browser, lambda d: d.find_element(By.ID, "progress").text.startswith(then),
                 f"{then!r} after {key!r}")

    press("d", "Item 2 of ")
    assert browser.find_element(By.ID, "status").text.startswith("recorded: different")
    assert stored_decisions(store) == [(*first, "different")]
    assert "1 decided on this page" in browser.find_element(By.ID, "tally").text
    # undo takes the decision back from the store, and shows the pair again
    press("u", "Item 1 of ")
    wait_for(browser, lambda d: d.find_element(By.ID, "status").text.startswith("undone"),
             "the undo")
    assert stored_decisions(store) == []
    assert browser.find_element(By.ID, "link-a").text == first[0]
    # skip, then same on the next pair
    press("k", "Item 2 of ")
    second = (browser.find_element(By.ID, "link-a").text,
              browser.find_element(By.ID, "link-b").text)
    press("s", "Item 3 of ")
    assert stored_decisions(store) == [(*sorted(second), "same")]
    assert f"of {total}" in browser.find_element(By.ID, "progress").text
    # typing a note is not a decision
    note = browser.find_element(By.ID, "note")
    note.send_keys("sd")
    assert browser.find_element(By.ID, "progress").text.startswith("Item 3 of ")
    assert len(stored_decisions(store)) == 1

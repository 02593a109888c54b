"""Remake docs/report.png, docs/query.png and docs/review.png from the bundled
example, in the headless chromium the browser tests use (``.ci/install-browser``)::

    python docs/screenshots.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def kg(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "kg.cli", *args], check=True, cwd=ROOT)


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    store, report = tmp / "store", tmp / "report.html"
    kg("build", *sorted(str(p) for p in (ROOT / "examples" / "records").iterdir()),
       "--store", str(store), "--quiet")
    kg("report", "--store", str(store), "-o", str(report), "--gold",
       str(ROOT / "examples" / "gold.csv"))
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--window-size=1100,900"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options,
                              service=Service(executable_path=shutil.which("chromedriver")))
    server = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--store", str(store),
                               "--port", "0", "--review"], stdout=subprocess.PIPE, text=True,
                              cwd=ROOT)
    try:
        driver.get(report.as_uri())
        height = driver.execute_script("return document.body.scrollHeight")
        driver.set_window_size(1100, min(height + 40, 6000))
        time.sleep(1)
        driver.save_screenshot(str(DOCS / "report.png"))
        url = server.stdout.readline().split()[4].removesuffix("/sparql")
        driver.set_window_size(1100, 900)
        driver.get(url + "/")
        Select(driver.find_element(By.ID, "pick")).select_by_value("multi-record-works")
        driver.find_element(By.ID, "run").click()
        WebDriverWait(driver, 60).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, "#result-table tbody tr"))
        driver.save_screenshot(str(DOCS / "query.png"))
        # the review page after one skip: the second pair, whose titles differ
        driver.get(url + "/review")
        driver.find_element(By.ID, "skip").click()
        WebDriverWait(driver, 60).until(
            lambda d: d.find_element(By.ID, "progress").text.startswith("Item 2 of"))
        height = driver.execute_script("return document.body.scrollHeight")
        driver.set_window_size(1100, min(height + 40, 2000))
        time.sleep(0.5)
        driver.save_screenshot(str(DOCS / "review.png"))
    finally:
        driver.quit()
        server.terminate()
        server.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

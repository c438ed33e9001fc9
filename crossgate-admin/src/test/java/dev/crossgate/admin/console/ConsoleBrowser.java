package dev.crossgate.admin.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Debian Chromium driven through the system chromedriver, with the few actions the
 * console tests need. Nothing is downloaded: the driver and browser paths are given explicitly, so
 * Selenium Manager is never asked. One per test: quitting it closes its connections to the server
 * under test.
 */
final class ConsoleBrowser implements AutoCloseable {
  static final String CHROMIUM = "/usr/bin/chromium";
  static final String CHROMEDRIVER = "/usr/bin/chromedriver";
  static final Dimension DESKTOP = new Dimension(1280, 800);

  private static final Logger QUIET_CDP =
      Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");
  private static final Logger QUIET_CHROMIUM =
      Logger.getLogger("org.openqa.selenium.chromium.ChromiumDriver");

  private final ChromeDriver driver;
  private final WebDriverWait wait;
  private final Path profile;

  private ConsoleBrowser(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
    this.wait = new WebDriverWait(driver, Duration.ofSeconds(15));
  }

  static ConsoleBrowser start() throws IOException {
    // Selenium ships no CDP bindings for every Chromium release; the tests use WebDriver only
    QUIET_CDP.setLevel(Level.SEVERE);
    QUIET_CHROMIUM.setLevel(Level.SEVERE);
    System.setProperty("SE_OFFLINE", "true");
    System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER);
    var profile = Files.createTempDirectory("crossgate-console-chromium");
    var service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(Path.of(CHROMEDRIVER).toFile())
            .usingAnyFreePort()
            .build();
    var options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    // the browser's console (JavaScript errors) is attached to a failed wait's message
    var logging = new LoggingPreferences();
    logging.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logging);
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,800",
        "--user-data-dir=" + profile);
    return new ConsoleBrowser(new ChromeDriver(service, options), profile);
  }

  /**
   * Opens the console at {@code consoleUrl} and signs in with {@code token}; waits for the Routes
   * page.
   */
  void signIn(URI consoleUrl, String token) {
    driver.manage().window().setSize(DESKTOP);
    driver.get(consoleUrl.toString());
    type(By.id("token"), token);
    click(By.cssSelector("#sign-in button[type=submit]"));
    find(By.id("who-name"));
    waitForText(By.tagName("h1"), "Routes");
  }

  /** Signs in by typing the token and pressing Enter, without the mouse. */
  void signInWithEnterKey(URI consoleUrl, String token) {
    driver.manage().window().setSize(DESKTOP);
    driver.get(consoleUrl.toString());
    find(By.id("token")).sendKeys(token, Keys.ENTER);
  }

  /** Presses Escape in the focused element. */
  void pressEscape() {
    driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
  }

  /** Opens the console's sign-in page and submits {@code token}, which the server will refuse. */
  void signInExpectingRefusal(URI consoleUrl, String token) {
    driver.manage().window().setSize(DESKTOP);
    driver.get(consoleUrl.toString());
    type(By.id("token"), token);
    click(By.cssSelector("#sign-in button[type=submit]"));
  }

  /** Goes to a page of the signed-in console, e.g. "#/tenants", and waits for its heading. */
  void open(String hash, String heading) {
    script("location.hash = arguments[0]", hash);
    waitForText(By.tagName("h1"), heading);
  }

  WebElement find(By by) {
    return until(ExpectedConditions.visibilityOfElementLocated(by));
  }

  /**
   * Waits for {@code condition}; a timeout reports what the page showed and what the browser
   * logged.
   */
  private <T> T until(Function<WebDriver, T> condition) {
    try {
      return wait.until(condition);
    } catch (TimeoutException e) {
      var logs = new StringBuilder();
      driver
          .manage()
          .logs()
          .get(LogType.BROWSER)
          .forEach(entry -> logs.append("\n  ").append(entry));
      throw new AssertionError(
          e.getRawMessage()
              + "\nat "
              + driver.getCurrentUrl()
              + ", the page showed:\n"
              + driver.findElement(By.tagName("body")).getText()
              + "\nbrowser console:"
              + logs,
          e);
    }
  }

  /** What the browser's console logged since the last call (CSP violations are reported there). */
  java.util.List<String> browserLog() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .map(Object::toString)
        .toList();
  }

  int rows(By by) {
    return driver.findElements(by).size();
  }

  boolean present(By by) {
    return !driver.findElements(by).isEmpty();
  }

  void type(By by, String text) {
    var input = find(by);
    input.clear();
    input.sendKeys(text);
  }

  void click(By by) {
    until(ExpectedConditions.elementToBeClickable(by)).click();
  }

  /** Waits until the element shows {@code text} and returns its whole text. */
  String waitForText(By by, String text) {
    until(ExpectedConditions.textToBePresentInElementLocated(by, text));
    return driver.findElement(by).getText();
  }

  void waitUntilGone(By by) {
    until(ExpectedConditions.invisibilityOfElementLocated(by));
  }

  Object script(String js, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(js, args);
  }

  void resize(Dimension size) {
    driver.manage().window().setSize(size);
  }

  /**
   * Saves the visible page as {@code target/console-screenshots/{name}.png} of this module. The
   * tracked pictures under docs/console are copied from there by hand when the console changes, so
   * a test run never rewrites tracked files.
   */
  void screenshot(String name) {
    var dir = Path.of("target", "console-screenshots");
    try {
      Files.createDirectories(dir);
      Files.write(dir.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    driver.quit();
    try (var files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}

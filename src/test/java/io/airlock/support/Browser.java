package io.airlock.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One person's headless Chromium (Debian's chromium and chromedriver, which .ci/run installs),
 * on a fresh profile, reaching only 127.0.0.1. {@link #close()} quits the browser and stops the
 * driver process it started.
 */
public final class Browser implements AutoCloseable {

  public static final Path SCREENSHOTS = Path.of("target", "browser-screenshots");

  private final ChromeDriverService service;
  private final ChromeDriver driver;
  private final Path profile;
  private final WebDriverWait wait;
  private static final Duration POLL = Duration.ofMillis(100);

  public Browser() {
    try {
      profile = Files.createTempDirectory("airlock-chromium-");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(executable("CHROMEDRIVER", "/usr/bin/chromedriver")))
        .usingAnyFreePort()
        .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(executable("CHROMIUM", "/usr/bin/chromium"));
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--window-size=1400,1000", "--user-data-dir=" + profile);
    // The page's console, for tests that fail on an error there.
    options.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL"));
    driver = new ChromeDriver(service, options);
    wait = waitUpTo(Duration.ofSeconds(30));
  }

  /**
   * A wait that looks every 100 ms, not Selenium's default 500 ms: most waits here are for a page
   * or a list that is ready within a moment, and each of them lost 250 ms on average.
   */
  public WebDriverWait waitUpTo(Duration timeout) {
    return new WebDriverWait(driver, timeout, POLL);
  }

  private static String executable(String env, String fallback) {
    String path = System.getenv(env) != null ? System.getenv(env) : fallback;
    if (!new File(path).canExecute()) {
      throw new IllegalStateException(path + " is missing: install Debian's chromium and chromium-driver "
          + "(apt-get install chromium chromium-driver; .ci/run does)");
    }
    return path;
  }

  public void open(String url) {
    driver.get(url);
  }

  public WebElement visible(By by) {
    return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
  }

  /** Whether the element is visible within {@code within} (no exception when it is not). */
  public boolean appears(By by, Duration within) {
    try {
      waitUpTo(within).until(ExpectedConditions.visibilityOfElementLocated(by));
      return true;
    } catch (org.openqa.selenium.TimeoutException e) {
      return false;
    }
  }

  public WebElement clickable(By by) {
    return wait.until(ExpectedConditions.elementToBeClickable(by));
  }

  public void click(By by) {
    WebElement element = clickable(by);
    driver.executeScript("arguments[0].scrollIntoView({block: 'center'});", element);
    try {
      element.click();
    } catch (org.openqa.selenium.ElementClickInterceptedException overlaid) {
      // A layout row of the form lies over the control: click it as the page's own script would.
      driver.executeScript("arguments[0].click();", element);
    }
  }

  public void type(By by, String text) {
    WebElement field = visible(by);
    // Select what is there and type over it: clear() bypasses the input events forms listen to.
    field.sendKeys(org.openqa.selenium.Keys.chord(org.openqa.selenium.Keys.CONTROL, "a"), text);
  }

  public List<WebElement> all(By by) {
    return driver.findElements(by);
  }

  /** Waits until {@code condition} holds; a condition that read an element htmx has just replaced is asked again. */
  public void waitFor(java.util.function.Function<ChromeDriver, Boolean> condition) {
    wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> condition.apply(driver));
  }

  /** The driver, for waits of one's own. */
  public ChromeDriver driver() {
    return driver;
  }

  /** Runs a script in the page, as the page's own code would (arguments[0], ...). */
  public Object script(String script, Object... args) {
    return driver.executeScript(script, args);
  }

  public String pageText() {
    return driver.findElement(By.tagName("body")).getText();
  }

  /** Saves a screenshot under target/browser-screenshots/{name}.png; returns where. */
  public Path screenshot(String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      File shot = driver.getScreenshotAs(OutputType.FILE);
      Path to = SCREENSHOTS.resolve(name.replaceAll("[^A-Za-z0-9._-]", "_") + ".png");
      Files.copy(shot.toPath(), to, StandardCopyOption.REPLACE_EXISTING);
      if (name.startsWith("FAILED")) { // what the page held, beyond what the screen shows
        Files.writeString(SCREENSHOTS.resolve(to.getFileName().toString().replace(".png", ".html")), driver.getPageSource());
      }
      return to;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The browser console's errors since the last call (SEVERE entries: script errors, CSP refusals, failed loads). */
  public List<String> consoleErrors() {
    return driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
        .map(org.openqa.selenium.logging.LogEntry::getMessage).toList();
  }

  /** axe-core's serious and critical accessibility violations on the page as it is now (rule: what, where). */
  public List<String> seriousAccessibilityViolations() {
    com.deque.html.axecore.results.Results results = new com.deque.html.axecore.selenium.AxeBuilder()
        .withTags(List.of("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")).analyze(driver);
    return results.getViolations().stream()
        .filter(v -> "serious".equals(v.getImpact()) || "critical".equals(v.getImpact()))
        .map(v -> v.getId() + " (" + v.getImpact() + "): " + v.getHelp() + " at " + v.getNodes().stream()
            .map(n -> String.valueOf(n.getTarget())).toList())
        .toList();
  }

  /** Signs in to a Camunda webapp (tasklist, cockpit, admin) through its login form. */
  /**
   * The webapps list every engine registered in this JVM's runtime container. The process tests'
   * in-memory engine ({@code airlock-process-test}, cached by Camunda's test extension and never
   * closed) is one when those tests ran earlier in the same test JVM; Cockpit then offered it next
   * to the node's and lost the sign-in ("Authentication failed") on a page that asked it. Only the
   * node's own engine ({@code default}) is left registered with the container; the process tests
   * keep theirs through the extension's cache.
   */
  static void onlyTheNodesEngine() {
    var container = org.camunda.bpm.container.RuntimeContainerDelegate.INSTANCE.get();
    for (org.camunda.bpm.engine.ProcessEngine engine
        : new java.util.ArrayList<>(container.getProcessEngineService().getProcessEngines())) {
      if (!"default".equals(engine.getName())) {
        container.unregisterProcessEngine(engine);
      }
    }
  }

  public void signIn(String baseUrl, String app, String user, String password) {
    onlyTheNodesEngine();
    open(baseUrl + "/camunda/app/" + app + "/default/#/login");
    By name = By.cssSelector("form[name='userLogin'] input[name='username'], input#username, input[type='text']");
    By secret = By.cssSelector("input[type='password']");
    // The sign-in page focuses its user field once it has rendered: keys typed into the password
    // field just then land in the user field. Type again until both fields hold what was typed.
    for (int attempt = 0; attempt < 5; attempt++) {
      type(name, user);
      type(secret, password);
      if (user.equals(visible(name).getAttribute("value")) && password.equals(visible(secret).getAttribute("value"))) {
        break;
      }
    }
    click(By.cssSelector("button[type='submit']"));
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a temp folder left behind
      }
    }
  }
}

package dev.crossgate.admin.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.admin.AdminKit;
import dev.crossgate.admin.traffic.GatewayMeters;
import dev.crossgate.cluster.ClusterMessage;
import dev.crossgate.cluster.NodeCredential;
import dev.crossgate.store.cluster.NodeRepository;
import dev.crossgate.upstream.PoolHealth;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;

/** The web console in real headless Chromium against a running control plane (one per test). */
class ConsoleTest {
  private AdminKit kit;
  private ConsoleBrowser browser;

  @BeforeEach
  void startControlPlaneAndBrowser() throws Exception {
    kit = AdminKit.start("h2");
    browser = ConsoleBrowser.start();
  }

  /**
   * The browser goes first: its kept-alive connections would hold up the server's graceful
   * shutdown.
   */
  @AfterEach
  void stopBrowserAndControlPlane() throws Exception {
    try {
      browser.close();
    } finally {
      kit.close();
    }
  }

  /** The console's page, at its contract URL. */
  private java.net.URI console() {
    return kit.uri("/console/");
  }

  private String createRoute(String json) throws Exception {
    var created = kit.post("/admin/routes", json);
    assertThat(created.status()).isEqualTo(201);
    return created.json().path("id").asText();
  }

  private static By row(String routeId) {
    return By.cssSelector("tr[data-route-id='" + routeId + "']");
  }

  @Test
  void theConsoleSignsInAndNavigatesUnderItsContentSecurityPolicyWithoutAViolation() {
    browser.signIn(console(), AdminKit.ADMIN_TOKEN);
    browser.open("#/tenants", "Tenants");
    browser.open("#/routes", "Routes");

    assertThat(browser.browserLog()).noneMatch(line -> line.contains("Content Security Policy"));
  }

  @Test
  void aWrongTokenIsRefusedInPlainWords() {
    browser.signInExpectingRefusal(console(), "cga_not-a-token");

    var refusal = browser.waitForText(By.id("sign-in-status"), "not accepted");
    browser.screenshot("sign-in");

    assertThat(refusal).contains("This token was not accepted");
  }

  @Test
  void aRouteWithABadTargetShowsTheFieldErrorAndIsListedOnceFixed() throws Exception {
    browser.signIn(console(), AdminKit.ADMIN_TOKEN);
    browser.click(By.id("new-route"));
    browser.type(By.id("route-service"), "shop");
    browser.type(By.id("route-summary"), "the shop's home page");
    browser.type(By.id("route-sourcePath"), "/shop");
    browser.type(By.id("route-version"), "v1");
    browser.type(By.id("route-targetUrl"), "ftp://svc/home");
    browser.click(By.cssSelector("input[name=methods][value=GET]"));

    browser.click(By.id("save-route"));
    var fieldError =
        browser.waitForText(By.cssSelector("[data-field=targetUrl] .field-error"), "scheme");
    browser.script(
        "document.querySelector('[data-field=targetUrl]').scrollIntoView({block: 'center'})");
    browser.screenshot("route-form-errors");
    browser.type(By.id("route-targetUrl"), "http://svc/home");
    browser.click(By.id("save-route"));
    var listed = browser.waitForText(By.id("routes-results"), "http://svc/home");
    browser.screenshot("routes");

    assertThat(fieldError).contains("scheme 'ftp' is not supported; use http or https");
    assertThat(browser.waitForText(By.id("routes-status"), "created"))
        .contains("Route shop /shop was created");
    assertThat(listed).contains("shop", "/shop", "v1", "GET");
    assertThat(kit.get("/admin/routes?service=shop").json().path("items")).hasSize(1);
  }

  @Test
  void everyBadFieldIsShownNextToItsOwnField() {
    browser.signIn(console(), AdminKit.ADMIN_TOKEN);
    browser.click(By.id("new-route"));
    browser.type(By.id("route-sourcePath"), "shop");
    browser.type(By.id("route-connectMs"), "0");
    browser.click(By.id("add-param"));
    browser.type(By.cssSelector(".param-row .param-name"), "1 bad name");

    browser.click(By.id("save-route"));

    assertThat(browser.waitForText(By.cssSelector("[data-field=service] .field-error"), "required"))
        .isEqualTo("is required");
    assertThat(browser.waitForText(By.cssSelector("[data-field=sourcePath] .field-error"), "start"))
        .isEqualTo("must start with '/'");
    assertThat(
            browser.waitForText(
                By.cssSelector("[data-field='timeouts.connectMs'] .field-error"), "between"))
        .contains("must be between 1 and");
    assertThat(browser.waitForText(By.cssSelector(".param-row .field-error"), "params[0].name"))
        .contains("letters, digits");
    assertThat(browser.waitForText(By.id("form-status"), "Some fields"))
        .contains("Some fields need attention");
  }

  @Test
  void routesAreSearchedByServiceAndPagedTwentyAtATime() throws Exception {
    var batch = new StringBuilder("[");
    for (int i = 0; i < 23; i++) {
      batch
          .append(i == 0 ? "" : ",")
          .append("{\"service\":\"inventory\",\"sourcePath\":\"/inventory/item")
          .append(i)
          .append("\",\"targetUrl\":\"http://svc/item")
          .append(i)
          .append("\"}");
    }
    assertThat(kit.post("/admin/routes/batch", batch.append("]").toString()).status())
        .isEqualTo(201);
    createRoute(
        "{\"service\":\"billing\",\"sourcePath\":\"/billing\",\"targetUrl\":\"http://svc/billing\"}");
    browser.signIn(console(), AdminKit.ADMIN_TOKEN);

    browser.waitForText(By.id("routes-results"), "inventory");
    var firstPage = browser.rows(By.cssSelector("#routes-results tbody tr"));
    browser.click(By.id("next-page"));
    browser.waitForText(By.cssSelector(".pager"), "Page 2");
    var secondPage = browser.rows(By.cssSelector("#routes-results tbody tr"));
    browser.type(By.id("search-service"), "billing");
    browser.click(By.cssSelector("form.search button[type=submit]"));
    var found = browser.waitForText(By.id("routes-results"), "http://svc/billing");
    browser.type(By.id("search-service"), "");
    browser.type(By.id("search-q"), "ITEM1");
    browser.click(By.cssSelector("form.search button[type=submit]"));
    browser.waitForText(By.id("routes-results"), "/inventory/item19");
    var substring = browser.rows(By.cssSelector("#routes-results tbody tr"));
    browser.type(By.id("search-q"), "nobody");
    browser.click(By.cssSelector("form.search button[type=submit]"));
    var none = browser.waitForText(By.id("routes-results"), "No route matches");

    assertThat(firstPage).isEqualTo(20);
    assertThat(secondPage).isEqualTo(4);
    // sorted by service: billing comes first, on the first page
    assertThat(found).doesNotContain("inventory");
    assertThat(substring).as("item1 and item10..item19, case-insensitive").isEqualTo(11);
    assertThat(none).contains("part of a service, host or path");
  }

  @Test
  void aFilterRuleIsCheckedAddedAndDeleted() throws Exception {
    browser.signIn(console(), AdminKit.ADMIN_TOKEN);
    browser.open("#/filters", "Filters");
    browser.waitForText(By.id("main"), "No filter rules");

    browser.type(By.id("filter-name"), "block scanners");
    browser.type(By.id("filter-value"), "10.0.0.300");
    browser.click(By.cssSelector("#filter-form button[type=submit]"));
    var valueError =
        browser.waitForText(
            By.cssSelector("#filter-form [data-field=value] .field-error"), "not an IP");
    browser.type(By.id("filter-value"), "203.0.113.0/24");
    browser.click(By.cssSelector("#filter-form button[type=submit]"));
    var listed = browser.waitForText(By.tagName("table"), "203.0.113.0/24");
    browser.script("window.scrollTo(0, 0)");
    browser.screenshot("filters");
    browser.click(By.cssSelector("table button.danger"));
    browser.click(By.id("confirm-yes"));
    var deleted = browser.waitForText(By.id("filters-status"), "deleted");

    assertThat(valueError).contains("'10.0.0.300' is not an IP address or CIDR block");
    assertThat(listed).contains("block scanners", "403");
    assertThat(deleted).contains("Filter rule \"block scanners\" was deleted");
    assertThat(kit.get("/admin/filters").json().path("items")).isEmpty();
  }

  @Test
  void theTrafficPageChartsEachRoutesRateErrorsAndP99AndShowsNewTrafficByItself() throws Exception {
    var meters = new GatewayMeters();
    kit.controlPlane().localNode(dev.crossgate.admin.LocalNodeView.ofMeters(meters.registry()));
    var sampler = kit.controlPlane().traffic();
    // a minute of samples, five seconds apart as the timer takes them
    var start = java.time.Instant.now().minusSeconds(60);
    sampler.sample(start);
    for (int i = 1; i <= 12; i++) {
      meters.record("rt_shop", "shop", 200, java.time.Duration.ofMillis(4L * i), 40 + 10 * i);
      meters.record("rt_shop", "shop", 502, java.time.Duration.ofMillis(300), i % 4 == 0 ? 3 : 0);
      meters.record("rt_search", "search", 200, java.time.Duration.ofMillis(40), 20 + i % 3 * 5);
      sampler.sample(start.plusSeconds(5L * i));
    }
    browser.signIn(console(), AdminKit.ADMIN_TOKEN);

    browser.open("#/traffic", "Traffic");
    var charts = browser.waitForText(By.id("traffic-charts"), "rt_shop");
    browser.screenshot("traffic");
    var lines =
        java.util.stream.Stream.of("chart-rps", "chart-errors", "chart-p99")
            .map(c -> browser.rows(By.cssSelector("#" + c + " .series polyline")))
            .toList();
    meters.record("rt_new", "late", 200, java.time.Duration.ofMillis(2), 50);
    sampler.sample();
    var refreshed = browser.waitForText(By.id("traffic-charts"), "rt_new");

    assertThat(charts).contains("Requests per second", "Error rate", "p99 latency", "rt_search");
    assertThat(lines).as("each chart has a line per route").containsExactly(2, 2, 2);
    assertThat(browser.find(By.cssSelector("tr[data-route='rt_shop']")).getText()).contains("shop");
    assertThat(refreshed).contains("rt_new");
    assertThat(browser.find(By.id("traffic-nodes")).getText()).isEqualTo("1 node feeds this page.");
    assertThat(browser.browserLog()).noneMatch(line -> line.contains("Content Security Policy"));
  }

  @Test
  void theTrafficPageOfAControlPlaneWithoutNodesSaysNoneFeedsItAndWhereTheTrafficIs() {
    kit.controlPlane().traffic().sample();
    browser.signIn(console(), AdminKit.ADMIN_TOKEN);

    browser.open("#/traffic", "Traffic");
    var shown = browser.waitForText(By.id("traffic-charts"), "No gateway node is connected");

    assertThat(shown).contains("each shows the nodes connected to it", "/metrics");
    assertThat(browser.find(By.id("traffic-nodes")).getText()).isEqualTo("0 nodes feed this page.");
  }

  @Test
  void anAdminTokenIsIssuedShownOnceAndRevokedFromTheTokensPage() throws Exception {
    browser.signIn(console(), AdminKit.ADMIN_TOKEN);
    browser.open("#/tokens", "Admin tokens");

    browser.type(By.id("token-name"), "auditor");
    browser.click(By.cssSelector("#issue-token button[type=submit]"));
    browser.waitForText(By.id("tokens-list"), "auditor");
    var token = browser.find(By.id("issued-token")).getAttribute("value");
    var readsWith = kit.send("GET", "/admin/routes", token, null, null).status();
    var writesWith =
        kit.send("POST", "/admin/tenants", token, "application/json", "{\"id\":\"x\"}").status();
    browser.screenshot("tokens");
    browser.click(By.cssSelector("#tokens-list button[aria-label='Revoke token auditor']"));
    browser.click(By.id("confirm-yes"));
    var revoked = browser.waitForText(By.id("tokens-status"), "revoked");

    assertThat(token).startsWith("cga_");
    assertThat(readsWith).as("a viewer reads").isEqualTo(200);
    assertThat(writesWith).as("a viewer does not write").isEqualTo(403);
    assertThat(revoked).contains("The token \"auditor\" was revoked");
    assertThat(kit.send("GET", "/admin/routes", token, null, null).status()).isEqualTo(401);
    assertThat(kit.get("/admin/tokens").json().findValuesAsText("name"))
        .containsExactly("bootstrap");
  }

  @Test
  void aTenantsKeyIsRevokedFromTheTenantsPage() throws Exception {
    kit.post("/admin/tenants", "{\"id\":\"acme\",\"name\":\"Acme\"}");
    var kept = kit.post("/admin/tenants/acme/keys", "{\"participant\":\"kept\"}").json();
    var gone = kit.post("/admin/tenants/acme/keys", "{\"participant\":\"leaving\"}").json();
    browser.signIn(console(), AdminKit.ADMIN_TOKEN);
    browser.open("#/tenants/acme", "Tenant Acme");
    browser.waitForText(By.id("keys"), "leaving");

    browser.click(
        By.cssSelector(
            "#keys button[aria-label='Revoke key " + gone.path("prefix").asText() + "']"));
    browser.click(By.id("confirm-yes"));
    browser.waitUntilGone(
        By.cssSelector(
            "#keys button[aria-label='Revoke key " + gone.path("prefix").asText() + "']"));

    var left = kit.get("/admin/tenants/acme/keys").json().path("items");
    assertThat(left).hasSize(1);
    assertThat(left.get(0).path("id").asText()).isEqualTo(kept.path("id").asText());
  }

  @Test
  void aScopedFilterRuleIsAddedWithItsScopeAndShownWhereItApplies() throws Exception {
    browser.signIn(console(), AdminKit.ADMIN_TOKEN);
    browser.open("#/filters", "Filters");
    browser.waitForText(By.id("main"), "No filter rules");

    browser.type(By.id("filter-name"), "small transfers");
    new org.openqa.selenium.support.ui.Select(browser.find(By.id("filter-kind")))
        .selectByValue("BODY_SIZE");
    browser.type(By.id("filter-value"), "1000");
    new org.openqa.selenium.support.ui.Select(browser.find(By.id("filter-scope")))
        .selectByValue("ENDPOINT");
    browser.type(By.id("filter-target"), "/_admin");
    browser.click(By.cssSelector("#filter-form button[type=submit]"));
    var targetError =
        browser.waitForText(
            By.cssSelector("#filter-form [data-field=target] .field-error"), "ENDPOINT");
    browser.type(By.id("filter-target"), "/_transfers");
    browser.click(By.cssSelector("#filter-form button[type=submit]"));
    var listed = browser.waitForText(By.tagName("table"), "endpoint /_transfers");

    assertThat(targetError).contains("/_transfers");
    assertThat(listed).contains("small transfers", "413");
    var stored = kit.get("/admin/filters").json().path("items").get(0);
    assertThat(stored.path("scope").asText()).isEqualTo("ENDPOINT");
    assertThat(stored.path("target").asText()).isEqualTo("/_transfers");
  }

  @Test
  void editingARoutesVersionIsSavedAndShownInTheList() throws Exception {
    var id =
        createRoute(
            "{\"service\":\"shop\",\"sourcePath\":\"/shop\",\"version\":\"v1\",\"targetUrl\":\"http://svc/home\"}");
    browser.signIn(console(), AdminKit.ADMIN_TOKEN);

    browser.click(By.cssSelector("tr[data-route-id='" + id + "'] a.button"));
    browser.type(By.id("route-version"), "v2");
    browser.click(By.id("save-route"));

    assertThat(browser.waitForText(By.id("routes-status"), "saved"))
        .contains("Route shop /shop was saved");
    assertThat(browser.waitForText(row(id), "v2")).doesNotContain("v1");
    assertThat(kit.get("/admin/routes/" + id).json().path("version").asText()).isEqualTo("v2");
  }

  @Test
  void aRouteToAnUpstreamPoolKeepsItsPoolAndCanOptOutOfVersionLookingSegments() throws Exception {
    kit.post("/admin/upstreams", "{\"id\":\"orders\",\"targets\":[{\"url\":\"http://10.0.0.5\"}]}");
    var id =
        createRoute(
            "{\"service\":\"orders\",\"sourcePath\":\"/orders\",\"version\":\"v1\","
                + "\"upstream\":\"orders\",\"targetPath\":\"/api\"}");
    browser.signIn(console(), AdminKit.ADMIN_TOKEN);
    browser.open("#/routes/" + id, "Edit route");

    browser.click(By.name("versionInPath"));
    browser.type(By.id("route-version"), "v2");
    browser.click(By.id("save-route"));

    browser.waitForText(By.id("routes-status"), "saved");
    var saved = kit.get("/admin/routes/" + id).json();
    assertThat(saved.path("upstream").asText()).isEqualTo("orders");
    assertThat(saved.path("targetPath").asText()).isEqualTo("/api");
    assertThat(saved.path("targetUrl").isMissingNode() || saved.path("targetUrl").isNull())
        .isTrue();
    assertThat(saved.path("version").asText()).isEqualTo("v2");
    assertThat(saved.path("versionInPath").asBoolean(true)).isFalse();
  }

  @Test
  void aRoutesRateLimitsAreShownKeptAndEditedInTheForm() throws Exception {
    var id =
        createRoute(
            "{\"service\":\"shop\",\"sourcePath\":\"/shop\",\"targetUrl\":\"http://svc/home\","
                + "\"rateLimits\":[{\"scope\":\"TENANT\",\"limit\":100,\"window\":\"1s\",\"burst\":20}]}");
    browser.signIn(console(), AdminKit.ADMIN_TOKEN);
    browser.open("#/routes/" + id, "Edit route");

    var shown = browser.find(By.id("route-rateLimits")).getAttribute("value");
    browser.type(By.id("route-rateLimits"), "TENANT 100 1s 20\nCLIENT_IP 5 1m x");
    browser.click(By.id("save-route"));
    var burstError =
        browser.waitForText(
            By.cssSelector("[data-field=rateLimits] .field-error"), "rateLimits[1].burst");
    browser.type(By.id("route-rateLimits"), "TENANT 100 1s 20\nCLIENT_IP 5 1m");
    browser.click(By.id("save-route"));
    browser.waitForText(By.id("routes-status"), "saved");

    assertThat(shown).isEqualTo("TENANT 100 1s 20");
    assertThat(burstError).contains("rateLimits[1].burst: has the wrong type");
    var limits = kit.get("/admin/routes/" + id).json().path("rateLimits");
    assertThat(limits).hasSize(2);
    assertThat(limits.get(1).path("scope").asText()).isEqualTo("CLIENT_IP");
    assertThat(limits.get(1).path("burst").asLong()).isEqualTo(5);
  }

  @Test
  void savingARouteSomeoneElseChangedMeanwhileIsRefusedInPlainWords() throws Exception {
    var id =
        createRoute(
            "{\"service\":\"shop\",\"sourcePath\":\"/shop\",\"version\":\"v1\",\"targetUrl\":\"http://svc/home\"}");
    browser.signIn(console(), AdminKit.ADMIN_TOKEN);
    browser.open("#/routes/" + id, "Edit route");

    kit.put(
        "/admin/routes/" + id,
        "{\"service\":\"shop\",\"sourcePath\":\"/shop\",\"version\":\"v1\",\"targetUrl\":\"http://svc/other\"}");
    browser.type(By.id("route-version"), "v9");
    browser.click(By.id("save-route"));

    assertThat(browser.waitForText(By.id("form-status"), "Someone else"))
        .contains("Someone else changed this since you opened it");
    assertThat(kit.get("/admin/routes/" + id).json().path("version").asText()).isEqualTo("v1");
  }

  @Test
  void signInAndTheConfirmationDialogWorkFromTheKeyboard() throws Exception {
    var id =
        createRoute(
            "{\"service\":\"shop\",\"sourcePath\":\"/shop\",\"targetUrl\":\"http://svc/home\"}");
    browser.signInWithEnterKey(console(), AdminKit.ADMIN_TOKEN);
    browser.waitForText(By.tagName("h1"), "Routes");

    browser.click(By.cssSelector("tr[data-route-id='" + id + "'] button.danger"));
    var focused = browser.script("return document.activeElement.textContent");
    browser.pressEscape();
    browser.waitUntilGone(By.cssSelector("dialog.confirm"));

    assertThat(focused).isEqualTo("Cancel");
    assertThat(kit.get("/admin/routes/" + id).status()).isEqualTo(200);
  }

  @Test
  void deletingARouteAsksForConfirmationAndRemovesIt() throws Exception {
    var id =
        createRoute(
            "{\"service\":\"shop\",\"sourcePath\":\"/shop\",\"targetUrl\":\"http://svc/home\"}");
    browser.signIn(console(), AdminKit.ADMIN_TOKEN);
    var deleteButton = By.cssSelector("tr[data-route-id='" + id + "'] button.danger");

    browser.click(deleteButton);
    var question = browser.waitForText(By.id("confirm-question"), "Delete");
    browser.click(By.cssSelector("dialog.confirm button:not(.danger)"));
    browser.waitUntilGone(By.cssSelector("dialog.confirm"));
    var keptAfterCancel = kit.get("/admin/routes/" + id).status();
    browser.click(deleteButton);
    browser.click(By.id("confirm-yes"));

    assertThat(question).contains("Delete the route shop /shop?");
    assertThat(keptAfterCancel).isEqualTo(200);
    assertThat(browser.waitForText(By.id("routes-status"), "deleted"))
        .contains("Route shop /shop was deleted");
    browser.waitForText(By.id("routes-results"), "No routes yet");
    assertThat(kit.get("/admin/routes/" + id).status()).isEqualTo(404);
  }

  @Test
  void resolvingAUrlShowsTheVersionAndTargetItReaches() throws Exception {
    createRoute(
        "{\"service\":\"catalog\",\"sourcePath\":\"/catalog\",\"version\":\"v1\",\"defaultVersion\":true,"
            + "\"targetUrl\":\"http://svc/home\"}");
    createRoute(
        "{\"service\":\"catalog\",\"sourcePath\":\"/catalog\",\"version\":\"v2\",\"targetUrl\":\"http://svc/index\"}");
    browser.signIn(console(), AdminKit.ADMIN_TOKEN);

    browser.type(By.id("resolve-url"), "http://api.example.com/catalog/v2/items?page=2");
    browser.click(By.id("resolve"));
    var version = browser.waitForText(By.id("resolved-version"), "v2");
    var target = browser.waitForText(By.id("resolved-target"), "http://svc/index");
    browser.script("document.getElementById('resolve-heading').scrollIntoView()");
    browser.screenshot("resolve");
    browser.type(By.id("resolve-url"), "/nowhere/at/all");
    browser.click(By.id("resolve"));
    var missing = browser.waitForText(By.id("resolve-result"), "No route matches");

    assertThat(version).isEqualTo("v2");
    assertThat(target).isEqualTo("http://svc/index/items?page=2");
    assertThat(missing).contains("the gateway would answer 404");
  }

  @Test
  void aViewerSeesNoWriteControlsAndAForcedWriteShowsThe403Message() throws Exception {
    createRoute(
        "{\"service\":\"shop\",\"sourcePath\":\"/shop\",\"targetUrl\":\"http://svc/home\"}");
    var viewer =
        kit.post("/admin/tokens", "{\"name\":\"auditor\",\"role\":\"VIEWER\"}")
            .json()
            .path("token")
            .asText();
    browser.signIn(console(), viewer);

    var who = browser.waitForText(By.id("who-name"), "auditor");
    browser.waitForText(By.id("routes-results"), "http://svc/home");
    var writeControls =
        browser.present(By.id("new-route"))
            || browser.present(By.cssSelector("#routes-results button.danger"));
    browser.open("#/routes/new", "New route");
    var saveDisabled =
        browser.script("return document.getElementById('save-route').matches(':disabled')");
    browser.script("document.getElementById('route-fields').disabled = false");
    browser.type(By.id("route-service"), "forced");
    browser.type(By.id("route-sourcePath"), "/forced");
    browser.type(By.id("route-targetUrl"), "http://svc/forced");
    browser.click(By.id("save-route"));
    var refusal = browser.waitForText(By.id("form-status"), "nothing was changed");
    browser.open("#/tenants", "Tenants");
    var tenantForm = browser.present(By.id("tenant-form"));

    assertThat(who).contains("viewer");
    assertThat(writeControls).isFalse();
    assertThat(saveDisabled).isEqualTo(true);
    assertThat(refusal).contains("read-only (viewer) token, so nothing was changed");
    assertThat(tenantForm).isFalse();
    assertThat(kit.get("/admin/routes?service=forced").json().path("items")).isEmpty();
  }

  @Test
  void aTenantsNewKeyIsShownOnceAndTheChangeLogListsTheChanges() throws Exception {
    createRoute(
        "{\"service\":\"shop\",\"sourcePath\":\"/shop\",\"version\":\"v1\",\"targetUrl\":\"http://svc/home\"}");
    browser.signIn(console(), AdminKit.ADMIN_TOKEN);

    browser.open("#/tenants", "Tenants");
    browser.type(By.id("tenant-id"), "acme");
    browser.type(By.id("tenant-name"), "Acme Corp.");
    browser.click(By.cssSelector("#tenant-form button[type=submit]"));
    browser.waitForText(By.tagName("h1"), "Tenant Acme Corp.");
    browser.type(By.id("key-participant"), "billing");
    browser.click(By.cssSelector("#issue-key button[type=submit]"));
    var key = browser.find(By.id("issued-key")).getAttribute("value");
    var keys = browser.waitForText(By.id("keys"), "billing");
    var extensions = browser.waitForText(By.id("extensions"), "No extension registered");
    browser.screenshot("tenant-keys");
    browser.open("#/tenants", "Tenants");
    browser.waitForText(By.tagName("table"), "acme");
    browser.screenshot("tenants");
    browser.open("#/changes", "Change log");
    var changes = browser.waitForText(By.tagName("table"), "API key");
    browser.screenshot("change-log");

    assertThat(key).isNotBlank();
    assertThat(keys).contains(key.substring(0, 6), "billing").doesNotContain(key);
    assertThat(extensions).contains("No extension registered");
    assertThat(changes)
        .contains(
            "route",
            "tenant",
            "API key",
            "created",
            "shop /shop v1 → http://svc/home",
            "bootstrap");
  }

  @Test
  void aTenantsTokenIssuerIsCheckedAddedListedAndDeleted() throws Exception {
    kit.post("/admin/tenants", "{\"id\":\"acme\",\"name\":\"Acme Corp.\"}");
    browser.signIn(console(), AdminKit.ADMIN_TOKEN);
    browser.open("#/tenants/acme", "Tenant Acme Corp.");
    browser.waitForText(By.id("issuers"), "No token issuers");

    browser.type(By.id("issuer-name"), "main");
    browser.type(By.id("issuer-url"), "https://login.acme.example");
    browser.type(By.id("issuer-audiences"), "crossgate");
    browser.type(By.id("issuer-jwks"), "https://login.acme.example/jwks");
    browser.type(By.id("issuer-claims"), "sub=Authorization");
    browser.click(By.cssSelector("#issuer-form button[type=submit]"));
    var claimError =
        browser.waitForText(
            By.cssSelector("#issuer-form [data-field=claimsToHeaders] .field-error"), "reserved");
    browser.type(By.id("issuer-claims"), "sub=X-Caller-Sub");
    browser.click(By.cssSelector("#issuer-form button[type=submit]"));
    var listed = browser.waitForText(By.id("issuers"), "login.acme.example");
    browser.screenshot("tenant-issuers");
    browser.click(By.cssSelector("#issuers button.danger"));
    browser.click(By.id("confirm-yes"));
    var deleted = browser.waitForText(By.id("issuers-status"), "deleted");

    assertThat(claimError).contains("'Authorization' is reserved");
    assertThat(listed).contains("main", "https://login.acme.example/jwks", "sub → X-Caller-Sub");
    assertThat(deleted).contains("Issuer main was deleted");
    assertThat(kit.get("/admin/tenants/acme/issuers").json().path("items")).isEmpty();
  }

  @Test
  void revertToHerePreviewsThePlanAppliesItOnConfirmAndListsWhatStandsInTheWay() throws Exception {
    var kept =
        createRoute(
            "{\"service\":\"shop\",\"sourcePath\":\"/shop\",\"targetUrl\":\"http://svc/v1\"}");
    var added =
        createRoute(
            "{\"service\":\"blog\",\"sourcePath\":\"/blog\",\"targetUrl\":\"http://svc/blog\"}");
    kit.put(
        "/admin/routes/" + kept,
        "{\"service\":\"shop\",\"sourcePath\":\"/shop\",\"targetUrl\":\"http://svc/v2\"}");
    browser.signIn(console(), AdminKit.ADMIN_TOKEN);
    browser.open("#/changes", "Change log");
    var revertToFirst = By.cssSelector("tr[data-revision='1'] button");

    browser.click(revertToFirst);
    var plan = browser.waitForText(By.id("revert-plan"), "removed");
    var question = browser.find(By.id("confirm-question")).getText();
    browser.screenshot("change-log-revert");
    browser.click(By.cssSelector("dialog.confirm button:not(.danger)"));
    browser.waitUntilGone(By.cssSelector("dialog.confirm"));
    long afterCancel = kit.get("/admin/changes").json().path("latestRevision").asLong();
    browser.click(revertToFirst);
    browser.waitForText(By.id("revert-plan"), "removed");
    browser.click(By.id("confirm-yes"));
    var done = browser.waitForText(By.id("changes-status"), "Reverted");

    assertThat(question).contains("Revert the configuration to revision 1?", "2 changes");
    assertThat(plan)
        .contains(
            "blog /blog → http://svc/blog removed", "shop /shop → http://svc/v1 changed back");
    assertThat(afterCancel).as("cancel writes nothing").isEqualTo(3);
    assertThat(done).contains("Reverted to revision 1: 2 changes written as revisions 4–5");
    assertThat(kit.get("/admin/routes/" + added).status()).isEqualTo(404);
    assertThat(kit.get("/admin/routes/" + kept).json().path("targetUrl").asText())
        .isEqualTo("http://svc/v1");
    browser.waitForText(By.tagName("table"), "deleted");

    kit.post("/admin/tenants", "{\"id\":\"acme\",\"name\":\"Acme\"}");
    var key = kit.post("/admin/tenants/acme/keys", "{}").json().path("id").asText();
    kit.delete("/admin/tenants/acme/keys/" + key);
    browser.open("#/routes", "Routes");
    browser.open("#/changes", "Change log");
    browser.click(By.cssSelector("tr[data-revision='7'] button"));
    var refused = browser.waitForText(By.id("changes-status"), "cannot be reverted");

    assertThat(refused).contains("API key " + key, "revoked", "nothing was changed");
    assertThat(kit.get("/admin/changes").json().path("latestRevision").asLong()).isEqualTo(8);
  }

  @Test
  void nodesShowTheirRevisionLagAndLastErrorAndCanBeResynced() throws Exception {
    var routeId =
        createRoute(
            "{\"service\":\"shop\",\"sourcePath\":\"/shop\",\"targetUrl\":\"http://svc/home\"}");
    // what the cluster hub records when an enrolled node says HELLO at revision 0 and then refuses
    // revision 1
    var nodes = new NodeRepository(kit.controlPlane().database(), Clock.systemUTC());
    nodes.enrol("edge-1", NodeCredential.issue("edge-1").credentialHash());
    nodes.seen("edge-1", 0, "4f2a9c01d3e5b7a8", "0.1.0", "admin-a");
    nodes.recordResult(
        "edge-1", 1, false, "4f2a9c01d3e5b7a8", "route table rejected: duplicate source /shop");
    // and what it records when a node applies revision 1 but does not serve the route
    var follower = kit.controlPlane().follower();
    org.awaitility.Awaitility.await().until(() -> follower.get().revision() == 1);
    nodes.enrol("edge-2", NodeCredential.issue("edge-2").credentialHash());
    nodes.seen("edge-2", 0, "4f2a9c01d3e5b7a8", "0.1.0", "admin-a");
    var reason = "upstream scheme 'http' is not allowed on this node (allowed: https)";
    nodes.recordResult(
        "edge-2",
        1,
        true,
        follower.get().hashHex(),
        null,
        java.util.List.of(new ClusterMessage.Rejection("ROUTE", routeId, reason)));
    browser.signIn(console(), AdminKit.ADMIN_TOKEN);

    browser.open("#/nodes", "Nodes");
    var node = browser.waitForText(By.cssSelector("tr[data-node-id='edge-1']"), "NACK");
    var rejecting =
        browser.waitForText(
            By.cssSelector("tr[data-node-id='edge-2'] ul.rejected"), "is not allowed on this node");
    var rejectingRow = browser.find(By.cssSelector("tr[data-node-id='edge-2']")).getText();
    browser.click(By.cssSelector("tr[data-node-id='edge-1'] summary"));
    var history =
        browser.waitForText(By.cssSelector("tr[data-node-id='edge-1'] ul.history"), "revision 1");
    browser.screenshot("nodes");
    browser.click(By.cssSelector("tr[data-node-id='edge-1'] button"));
    browser.click(By.id("confirm-yes"));
    var resync = browser.waitForText(By.id("nodes-status"), "full snapshot");

    assertThat(node)
        .contains(
            "edge-1", "1 behind", "4f2a9c01d3e5", "route table rejected: duplicate source /shop");
    assertThat(history).contains("NACK");
    assertThat(rejecting).contains("route " + routeId, reason);
    assertThat(rejectingRow).contains("applied with rejections", "up to date");
    assertThat(resync).contains("Node edge-1 will receive a full snapshot");
  }

  @Test
  void transfersShowTheirOwnerStatusAndProgress() throws Exception {
    var now = java.time.Instant.now();
    new dev.crossgate.store.transfer.TransferRepository(kit.controlPlane().database().dataSource())
        .insert(
            new dev.crossgate.store.transfer.TransferRecord(
                "acme",
                "tx_report-2026",
                "native",
                1024,
                4,
                4096L,
                "sha-256",
                null,
                "report.csv",
                null,
                null,
                dev.crossgate.store.transfer.TransferStatus.OPEN,
                null,
                null,
                0,
                0,
                0,
                0,
                now,
                now,
                now.plusSeconds(3600)));
    browser.signIn(console(), AdminKit.ADMIN_TOKEN);

    browser.open("#/transfers", "Transfers");
    var list = browser.waitForText(By.id("transfers-list"), "tx_report-2026");
    browser.screenshot("transfers");

    assertThat(list).contains("acme", "report.csv", "open", "0%", "0 B of 4.0 KiB");
  }

  @Test
  void upstreamsShowTheirTargetsChecksAndRetries() throws Exception {
    kit.post(
        "/admin/upstreams",
        "{\"id\":\"orders\",\"algorithm\":\"LEAST_CONNECTIONS\",\"targets\":["
            + "{\"url\":\"http://10.0.0.5:8080\",\"weight\":100},"
            + "{\"url\":\"http://orders-b:8080\",\"weight\":50}],"
            + "\"healthCheck\":{\"path\":\"/health\",\"intervalMs\":2000}}");
    kit.post(
        "/admin/upstreams",
        "{\"id\":\"billing\",\"targets\":[{\"url\":\"http://10.0.0.9:8080\"}]}");
    // what the cluster hub records of a node's heartbeat: edge-1 sees orders-b ejected
    var nodes = new NodeRepository(kit.controlPlane().database(), Clock.systemUTC());
    nodes.enrol("edge-1", NodeCredential.issue("edge-1").credentialHash());
    var since = java.time.Instant.parse("2026-12-02T09:00:00Z");
    nodes.seen(
        "edge-1",
        0,
        "4f2a9c01d3e5b7a8",
        "0.1.0",
        "admin-a",
        new dev.crossgate.cluster.ClusterMessage.NodeReport(
            java.util.List.of(
                new PoolHealth(
                    "orders",
                    false,
                    java.util.List.of(
                        new PoolHealth.TargetHealth(
                            "http://10.0.0.5:8080", 100, true, since, "200", false, 0, 3),
                        new PoolHealth.TargetHealth(
                            "http://orders-b:8080", 50, false, since, "timeout", true, 2, 0)))),
            java.util.List.of()));
    browser.signIn(console(), AdminKit.ADMIN_TOKEN);

    browser.open("#/upstreams", "Upstreams");
    var list = browser.waitForText(By.id("upstreams-list"), "orders-b");
    browser.screenshot("upstreams");

    assertThat(list)
        .contains(
            "orders",
            "LEAST_CONNECTIONS",
            "http://10.0.0.5:8080",
            "weight 50",
            "GET /health every 2000 ms",
            "edge-1 healthy",
            "last check 200 · 3 in flight · 0 ejections",
            "edge-1 ejected",
            "last check timeout · 0 in flight · 2 ejections",
            "no node has reported this pool yet");
  }

  @Test
  void aNarrowWindowPutsTheNavigationAboveThePage() throws Exception {
    createRoute(
        "{\"service\":\"shop\",\"sourcePath\":\"/shop\",\"version\":\"v1\",\"targetUrl\":\"http://svc/home\"}");
    browser.signIn(console(), AdminKit.ADMIN_TOKEN);

    browser.resize(new Dimension(420, 860));
    browser.waitForText(By.id("routes-results"), "http://svc/home");
    var navBottom =
        browser.find(By.id("nav")).getRect().getY()
            + browser.find(By.id("nav")).getRect().getHeight();
    var mainTop = browser.find(By.id("main")).getRect().getY();
    var overflow =
        browser.script(
            "return document.documentElement.scrollWidth > document.documentElement.clientWidth");
    browser.screenshot("routes-narrow");

    assertThat(navBottom).isLessThanOrEqualTo(mainTop);
    assertThat(overflow).isEqualTo(false);
  }

  @Test
  void tasksShowTheirStatusOwnerAndRequestAndFilterByStatus() throws Exception {
    var now = java.time.Instant.now();
    var tasks = new dev.crossgate.store.task.TaskRepository(kit.controlPlane().database());
    tasks.insert(
        new dev.crossgate.store.task.TaskRecord(
            "tk_analysis-1",
            "acme",
            "rt_1",
            "CALLBACK",
            dev.crossgate.store.task.TaskStatus.RUNNING,
            "hash",
            "{\"taskId\":\"tk_analysis-1\",\"requestPath\":"
                + "\"/async/report\",\"mode\":\"ASYNC\",\"params\":{}}",
            "POST",
            "/async/report",
            null,
            null,
            null,
            null,
            null,
            null,
            now,
            now,
            null,
            now.plusSeconds(3600),
            null),
        dev.crossgate.store.task.TaskRequestBody.inline(new byte[0]));
    browser.signIn(console(), AdminKit.ADMIN_TOKEN);

    browser.open("#/tasks", "Tasks");
    var list = browser.waitForText(By.id("tasks-list"), "tk_analysis-1");
    browser.screenshot("tasks");
    new org.openqa.selenium.support.ui.Select(browser.find(By.id("task-state")))
        .selectByValue("DONE");
    browser.click(By.cssSelector("form.search button[type=submit]"));
    var filtered = browser.waitForText(By.id("tasks-list"), "No task matches");

    assertThat(list).contains("acme", "running", "/async/report");
    assertThat(filtered).contains("No task matches");
  }
}

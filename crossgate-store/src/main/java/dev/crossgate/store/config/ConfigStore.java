package dev.crossgate.store.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossgate.change.Change;
import dev.crossgate.configfile.ConfigDiff;
import dev.crossgate.configfile.ConfigFile;
import dev.crossgate.configfile.ConfigFileValidator;
import dev.crossgate.configfile.ConfigForms;
import dev.crossgate.configfile.ConfigPlan;
import dev.crossgate.configfile.ConfigPlan.Action;
import dev.crossgate.configfile.ConfigPlan.PlannedChange;
import dev.crossgate.configfile.ConfigSection;
import dev.crossgate.extension.Extension;
import dev.crossgate.filter.FilterRule;
import dev.crossgate.filter.FilterValidator;
import dev.crossgate.json.Json;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.route.Route;
import dev.crossgate.route.RouteValidator;
import dev.crossgate.route.StoredSecrets;
import dev.crossgate.store.ChangeLog;
import dev.crossgate.store.Database;
import dev.crossgate.store.extension.ExtensionRepository;
import dev.crossgate.store.filter.FilterRepository;
import dev.crossgate.store.route.RouteRepository;
import dev.crossgate.store.tenant.TenantRepository;
import dev.crossgate.store.upstream.UpstreamRepository;
import dev.crossgate.tenant.Tenant;
import dev.crossgate.tenant.TenantSpec;
import dev.crossgate.tenant.TenantValidator;
import dev.crossgate.upstream.Upstream;
import dev.crossgate.upstream.UpstreamValidator;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole configuration as one document ({@link ConfigFile}): exported, and applied in one change
 * transaction: all of the file's creates, updates and (with prune) deletes commit together with
 * consecutive revisions, or none does. Entities are written through their repositories, so an
 * applied file is validated, conflict-checked and logged exactly like the same edits made one by
 * one through the Admin API, and nodes learn it through the change log as usual. Blocking: call
 * from a worker thread.
 *
 * <p>Tenants are created and updated but never pruned: their keys and certificates are issued by
 * the server and are not in files.
 */
public final class ConfigStore {
  private final Database database;
  private final ChangeLog changeLog;
  private final RouteRepository routes;
  private final FilterRepository filters;
  private final TenantRepository tenants;
  private final ExtensionRepository extensions;
  private final UpstreamRepository upstreams;
  private final Clock clock;

  public ConfigStore(
      Database database,
      ChangeLog changeLog,
      RouteRepository routes,
      FilterRepository filters,
      TenantRepository tenants,
      ExtensionRepository extensions,
      UpstreamRepository upstreams,
      Clock clock) {
    this.database = database;
    this.changeLog = changeLog;
    this.routes = routes;
    this.filters = filters;
    this.tenants = tenants;
    this.extensions = extensions;
    this.upstreams = upstreams;
    this.clock = clock;
  }

  /** An exported configuration and the revision it is the state of. */
  public record Export(long revision, ObjectNode document) {}

  /** The current configuration, read under the revision lock so that it is one revision's state. */
  public Export export() {
    return changeLog.write(
        "export",
        tx -> {
          var c = tx.connection();
          return new Export(
              tx.nextRevision() - 1,
              ConfigForms.document(
                  RouteRepository.all(c),
                  FilterRepository.all(c),
                  TenantRepository.all(c),
                  ExtensionRepository.all(c),
                  UpstreamRepository.all(c)));
        });
  }

  /**
   * The configuration as it was at {@code revision}, replayed from the change log.
   *
   * @throws ProblemException 404 for a revision not reached yet, 410 when the log no longer holds
   *     every change up to it
   */
  public Export exportAt(long revision) {
    long latest = changeLog.latestRevision();
    if (revision < 0 || revision > latest) {
      throw new ProblemException(
          Problem.notFound("revision " + revision + " does not exist; the latest is " + latest));
    }
    long oldest = changeLog.oldestRetainedRevision();
    if (oldest > 1 && revision > 0) {
      throw new ProblemException(
          Problem.of(
              "revision-pruned",
              "Revision no longer replayable",
              410,
              "the change log keeps revisions from "
                  + oldest
                  + " on; revision "
                  + revision
                  + " cannot be rebuilt"));
    }
    var state = new LastBodies();
    for (var change : changeLog.upTo(revision)) {
      state.apply(change);
    }
    return new Export(
        revision,
        ConfigForms.document(
            state.read(Change.EntityType.ROUTE, Route.class),
            state.read(Change.EntityType.FILTER, FilterRule.class),
            state.read(Change.EntityType.TENANT, Tenant.class),
            state.read(Change.EntityType.EXTENSION, Extension.class),
            state.read(Change.EntityType.UPSTREAM, Upstream.class)));
  }

  /** The last body of every entity of the configuration sections, by type and id. */
  private static final class LastBodies {
    private final Map<Change.EntityType, Map<String, com.fasterxml.jackson.databind.JsonNode>>
        bodies = new java.util.EnumMap<>(Change.EntityType.class);

    void apply(Change change) {
      var ofType = bodies.computeIfAbsent(change.entityType(), t -> new LinkedHashMap<>());
      if (change.op() == Change.Op.DELETE) {
        ofType.remove(change.entityId());
      } else {
        ofType.put(change.entityId(), change.after());
      }
    }

    <T> List<T> read(Change.EntityType type, Class<T> as) {
      return bodies.getOrDefault(type, Map.of()).values().stream()
          .map(body -> Json.mapper().convertValue(body, as))
          .toList();
    }
  }

  /**
   * Applies {@code file}: creates what it names and the server lacks, updates what differs, and
   * with {@code prune} deletes routes, filters, extensions and upstreams it does not name.
   *
   * @param ifRevision the revision a plan was computed against; the apply is refused (412) when the
   *     configuration moved since. Null: apply to whatever is there.
   * @param verifier checks extensions the file creates or changes (egress, artifacts) before the
   *     transaction, as the extension endpoint does
   * @throws ProblemException 400 naming every invalid field by its path in the file; 409 or 404
   *     when an entry contradicts the server's state, named by its path; 412 on a moved revision
   */
  public ConfigPlan apply(
      ConfigFile file,
      boolean prune,
      boolean dryRun,
      Long ifRevision,
      String actor,
      ExtensionRepository.ArtifactVerifier verifier) {
    ConfigFileValidator.validate(file);
    if (!dryRun) {
      verifyChangedExtensions(file, verifier);
    }
    var written = new ArrayList<Route>();
    var plan =
        changeLog.write(
            actor,
            tx -> {
              long base = tx.nextRevision() - 1;
              if (ifRevision != null && ifRevision != base) {
                throw new ProblemException(
                    Problem.preconditionFailed(
                        "the configuration changed since revision "
                            + ifRevision
                            + " (it is at revision "
                            + base
                            + "); compute the diff again"));
              }
              var work = new Work(tx, file, prune, written);
              work.plan();
              if (!dryRun) {
                work.run();
              }
              return new ConfigPlan(
                  base, dryRun ? base : tx.nextRevision() - 1, !dryRun, work.changes());
            });
    routes.committed(written);
    return plan;
  }

  private void verifyChangedExtensions(
      ConfigFile file, ExtensionRepository.ArtifactVerifier verifier) {
    var stored = new HashMap<String, ObjectNode>();
    extensions.all().forEach(e -> stored.put(e.key(), ConfigForms.extension(e)));
    var errors = new ArrayList<FieldError>();
    for (int i = 0; i < file.extensions().size(); i++) {
      var wanted = ConfigFileValidator.extension(file, i);
      if (!ConfigForms.extension(wanted).equals(stored.get(wanted.key()))) {
        try {
          verifier.verify(wanted);
        } catch (ProblemException e) {
          if (e.problem().status() != 400) {
            throw located(e, ConfigSection.EXTENSIONS.at(i));
          }
          ConfigFileValidator.prefixed(e, ConfigSection.EXTENSIONS.at(i), errors);
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new ProblemException(Problem.validation(errors));
    }
  }

  /** A write of the plan, run in the transaction. */
  @FunctionalInterface
  private interface Write {
    void run() throws SQLException;
  }

  private record Step(PlannedChange change, Write write) {}

  /** The plan of one apply and the writes that carry it out, in the order they must run. */
  private final class Work {
    private final ChangeLog.ChangeTransaction tx;
    private final Connection c;
    private final ConfigFile file;
    private final boolean prune;
    private final List<Route> written;
    private final List<Step> deletes = new ArrayList<>();
    private final List<Step> upserts = new ArrayList<>();

    /** Deletes that run after the upserts: pools go once the routes have moved off them. */
    private final List<Step> lastDeletes = new ArrayList<>();

    Work(ChangeLog.ChangeTransaction tx, ConfigFile file, boolean prune, List<Route> written) {
      this.tx = tx;
      this.c = tx.connection();
      this.file = file;
      this.prune = prune;
      this.written = written;
    }

    List<PlannedChange> changes() {
      var out = new ArrayList<PlannedChange>();
      deletes.forEach(s -> out.add(s.change()));
      upserts.forEach(s -> out.add(s.change()));
      lastDeletes.forEach(s -> out.add(s.change()));
      return out;
    }

    void run() throws SQLException {
      for (var step : deletes) {
        execute(step);
      }
      for (var step : upserts) {
        execute(step);
      }
      for (var step : lastDeletes) {
        execute(step);
      }
    }

    private void execute(Step step) throws SQLException {
      try {
        step.write().run();
      } catch (ProblemException e) {
        var change = step.change();
        throw located(e, change.at() != null ? change.at() : change.section() + " " + change.key());
      }
    }

    void plan() throws SQLException {
      // deletes run first: routes before the extensions their flows name; upstream pools are
      // written before the routes that send to them and deleted after the routes leave them
      var routeSteps = routes();
      var filterSteps = filters();
      var extensionSteps = extensions();
      var upstreamSteps = upstreams();
      tenants();
      upserts.addAll(extensionSteps);
      upserts.addAll(filterSteps);
      upserts.addAll(upstreamSteps);
      upserts.addAll(routeSteps);
    }

    private void tenants() throws SQLException {
      var desired = new ArrayList<Tenant>();
      var specs = new java.util.HashMap<String, TenantSpec>();
      for (var spec : file.tenants()) {
        var valid = TenantValidator.validate(spec.id(), spec);
        desired.add(TenantValidator.tenant(valid, null, null, 0));
        specs.put(valid.id(), valid);
      }
      for (var pair : ConfigDiff.pair(TenantRepository.all(c), desired, Tenant::id, Tenant::id)) {
        var wanted = pair.desired();
        if (wanted == null) {
          continue; // tenants are never pruned
        }
        var spec = specs.get(wanted.id());
        upsert(
            upserts,
            ConfigSection.TENANTS,
            wanted.id(),
            pair.index(),
            pair.current() == null ? null : ConfigForms.tenant(pair.current()),
            ConfigForms.tenant(wanted),
            () -> tenants.create(tx, spec),
            () -> tenants.update(tx, spec));
      }
    }

    private List<Step> extensions() throws SQLException {
      var desired = new ArrayList<Extension>();
      for (int i = 0; i < file.extensions().size(); i++) {
        desired.add(ConfigFileValidator.extension(file, i));
      }
      var current = ExtensionRepository.all(c);
      var out = new ArrayList<Step>();
      var removed = new ArrayList<Step>();
      for (var pair : ConfigDiff.pair(current, desired, Extension::key, Extension::key)) {
        var gone = pair.current();
        if (pair.desired() == null) {
          delete(
              removed,
              ConfigSection.EXTENSIONS,
              gone.key(),
              () -> extensions.delete(tx, gone.tenant(), gone.id()));
          continue;
        }
        var entry = file.extensions().get(pair.index());
        Write put = () -> extensions.put(tx, entry.tenant(), entry.id(), entry.spec());
        upsert(
            out,
            ConfigSection.EXTENSIONS,
            pair.desired().key(),
            pair.index(),
            gone == null ? null : ConfigForms.extension(gone),
            ConfigForms.extension(pair.desired()),
            put,
            put);
      }
      // dependents are removed before what they depend on, and written after it
      var removals = new ArrayList<>(dependencyOrder(removed, current));
      java.util.Collections.reverse(removals);
      deletes.addAll(removals);
      return dependencyOrder(out, desired);
    }

    private List<Step> upstreams() throws SQLException {
      var now = clock.instant();
      var desired = new ArrayList<Upstream>();
      for (var spec : file.upstreams()) {
        desired.add(UpstreamValidator.validate(spec.id(), spec, tx.actor(), now, now));
      }
      var out = new ArrayList<Step>();
      for (var pair :
          ConfigDiff.pair(UpstreamRepository.all(c), desired, Upstream::id, Upstream::id)) {
        var current = pair.current();
        var wanted = pair.desired();
        if (wanted == null) {
          delete(
              lastDeletes,
              ConfigSection.UPSTREAMS,
              current.id(),
              () -> upstreams.delete(tx, current));
          continue;
        }
        upsert(
            out,
            ConfigSection.UPSTREAMS,
            wanted.id(),
            pair.index(),
            current == null ? null : ConfigForms.upstream(current),
            ConfigForms.upstream(wanted),
            () -> upstreams.create(tx, wanted),
            () -> upstreams.replace(tx, current, wanted));
      }
      return out;
    }

    private List<Step> filters() throws SQLException {
      var now = clock.instant();
      var desired = new ArrayList<FilterRule>();
      for (var spec : file.filters()) {
        desired.add(FilterValidator.validate("file", spec, tx.actor(), now));
      }
      var out = new ArrayList<Step>();
      for (var pair :
          ConfigDiff.pair(
              FilterRepository.all(c), desired, ConfigForms::filterKey, ConfigForms::filterKey)) {
        var current = pair.current();
        var rule = pair.desired();
        if (rule == null) {
          delete(
              deletes,
              ConfigSection.FILTERS,
              ConfigForms.filterKey(current),
              () -> filters.delete(tx, current.id()));
          continue;
        }
        upsert(
            out,
            ConfigSection.FILTERS,
            rule.name(),
            pair.index(),
            current == null ? null : ConfigForms.filter(current),
            ConfigForms.filter(rule),
            () -> filters.create(tx, rule),
            () -> filters.replace(tx, current, rule));
      }
      return out;
    }

    private List<Step> routes() throws SQLException {
      var errors = new ArrayList<FieldError>();
      var desired = new ArrayList<Route>();
      for (int i = 0; i < file.routes().size(); i++) {
        desired.add(
            ConfigFileValidator.route(file.routes().get(i), ConfigSection.ROUTES.at(i), errors));
      }
      var now = clock.instant();
      var out = new ArrayList<Step>();
      for (var pair :
          ConfigDiff.pair(
              RouteRepository.all(c), desired, ConfigForms::routeKey, ConfigForms::routeVariant)) {
        var current = pair.current();
        if (pair.desired() == null) {
          delete(
              deletes,
              ConfigSection.ROUTES,
              ConfigForms.routeKey(current),
              () -> {
                routes.delete(tx, current);
                written.add(current);
              });
          continue;
        }
        var at = ConfigSection.ROUTES.at(pair.index());
        var spec = StoredSecrets.keepStored(file.routes().get(pair.index()), current);
        if (spec.tls() != null && StoredSecrets.STORED.equals(spec.tls().clientKeyPem())) {
          errors.add(
              new FieldError(
                  at + ".tls.clientKeyPem",
                  StoredSecrets.STORED
                      + " keeps the key the server holds for this route, and it holds none;"
                      + " give ${env:NAME} or ${file:/path}"));
          continue;
        }
        var route =
            RouteValidator.validate(
                current == null ? "new" : current.id(),
                spec,
                current == null ? tx.actor() : current.createdBy(),
                current == null ? now : current.createdAt(),
                now);
        upsert(
            out,
            ConfigSection.ROUTES,
            ConfigForms.routeKey(route),
            pair.index(),
            current == null ? null : ConfigForms.route(current),
            ConfigForms.route(route),
            () -> written.add(routes.create(tx, route)),
            () -> {
              written.add(current);
              written.add(routes.replace(tx, current, route));
            });
      }
      if (!errors.isEmpty()) {
        throw new ProblemException(Problem.validation(errors));
      }
      return out;
    }

    /** Plans the file's entry {@code index}: created when new, updated when its form differs. */
    private void upsert(
        List<Step> into,
        ConfigSection section,
        String key,
        int index,
        ObjectNode before,
        ObjectNode after,
        Write create,
        Write update) {
      var at = section.at(index);
      if (before == null) {
        into.add(
            new Step(new PlannedChange(Action.CREATE, section.field(), key, at, null), create));
      } else if (!before.equals(after)) {
        into.add(
            new Step(
                new PlannedChange(
                    Action.UPDATE, section.field(), key, at, ConfigDiff.fields(before, after)),
                update));
      }
    }

    /** Plans the removal of a stored entity the file does not name, when pruning. */
    private void delete(List<Step> into, ConfigSection section, String key, Write delete) {
      if (prune) {
        into.add(
            new Step(new PlannedChange(Action.DELETE, section.field(), key, null, null), delete));
      }
    }
  }

  /** {@code steps} (extension writes) ordered so that an extension comes after its dependencies. */
  private static List<Step> dependencyOrder(List<Step> steps, List<Extension> registry) {
    var byKey = new HashMap<String, Extension>();
    registry.forEach(e -> byKey.put(e.key(), e));
    var depth = new HashMap<String, Integer>();
    return steps.stream()
        .sorted(Comparator.comparingInt(s -> depth(s.change().key(), byKey, depth, 0)))
        .toList();
  }

  private static int depth(
      String key, Map<String, Extension> byKey, Map<String, Integer> memo, int guard) {
    var known = memo.get(key);
    if (known != null) {
      return known;
    }
    var extension = byKey.get(key);
    int d = 0;
    if (extension != null && guard < byKey.size()) {
      for (var dep : extension.dependsOn()) {
        d = Math.max(d, 1 + depth(Extension.key(extension.tenant(), dep), byKey, memo, guard + 1));
      }
    }
    memo.put(key, d);
    return d;
  }

  /**
   * {@code e} naming where in the file it happened: a validation problem's fields get the entry's
   * path as prefix, any other problem (409, 404) gets the entry as its one field.
   */
  private static ProblemException located(ProblemException e, String at) {
    var problem = e.problem();
    if (problem.errors().isEmpty()) {
      return new ProblemException(
          problem.withErrors(List.of(new FieldError(at, problem.detail()))));
    }
    var errors = new ArrayList<FieldError>();
    ConfigFileValidator.prefixed(e, at, errors);
    return new ProblemException(problem.withErrors(errors));
  }
}

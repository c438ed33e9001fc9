package dev.crossgate.task;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The body of {@code GET /_interfaces}: what the gateway serves and the agent reads.
 *
 * @param revision the configuration revision the list was taken from; null when not given
 * @param markers the path prefixes that select a mode at the gateway
 * @param interfaces the declarations, ordered by source path
 */
@JsonPropertyOrder({"revision", "markers", "interfaces"})
@JsonIgnoreProperties(ignoreUnknown = true)
public record InterfaceList(Long revision, Markers markers, List<InterfaceDeclaration> interfaces) {
  public InterfaceList {
    markers = markers == null ? Markers.DEFAULT : markers;
    interfaces = interfaces == null ? List.of() : List.copyOf(interfaces);
  }

  /** The mode markers; a missing one is the default. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Markers(String sync, String async) {
    public static final Markers DEFAULT = new Markers("/sync", "/async");

    public Markers {
      sync = sync == null ? "/sync" : sync;
      async = async == null ? "/async" : async;
    }
  }
}

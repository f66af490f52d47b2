package dev.pretrain.corpus.ingest.filters;

import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Drops documents whose URL is on a block list, after datatrove's {@code URLFilter} (domain and URL block lists;
 * its banned-word lists are not implemented). The list file is UTF-8 text, one entry a line; blank lines and lines
 * starting with {@code '#'} are skipped:
 * <ul>
 *   <li>an entry with {@code "://"} is a URL, compared after {@link #normalize(String)}: the document is dropped as
 *       {@code url_blocklist_url} if its normalized URL equals it;</li>
 *   <li>any other entry is a domain (a leading {@code "*."} or {@code "www."} is ignored): the document is dropped
 *       as {@code url_blocklist_domain} if its host is that domain or a sub-domain of it ({@code ads.example.com}
 *       is blocked by {@code example.com}).</li>
 * </ul>
 * A document without a URL is kept. Immutable, serializable (the lists travel with it), thread-safe.
 */
public final class UrlFilter implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final Set<String> domains;
  private final Set<String> urls;

  /**
   * @param file    named in error messages and the report
   * @param domains lower-case domains
   * @param urls    normalized URLs
   */
  public UrlFilter(String file, Set<String> domains, Set<String> urls) {
    this.file = file;
    this.domains = Set.copyOf(domains);
    this.urls = Set.copyOf(urls);
  }

  /**
   * Reads a block list file.
   *
   * @throws IllegalArgumentException naming the file: unreadable, not UTF-8, or a line holding white space inside
   *                                  an entry (with its line number)
   */
  public static UrlFilter load(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("url blocklist " + file + ": cannot read it (" + e + ")", e);
    }
    Set<String> domains = new HashSet<>();
    Set<String> urls = new HashSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      if (l.chars().anyMatch(Character::isWhitespace)) {
        throw new IllegalArgumentException("url blocklist " + file + " line " + (i + 1) + ": '" + l
            + "' holds white space (want one domain or URL a line)");
      }
      if (l.contains("://")) {
        urls.add(normalize(l));
      } else {
        domains.add(bareDomain(l));
      }
    }
    return new UrlFilter(file.toString(), domains, urls);
  }

  public String file() {
    return file;
  }

  public int domainCount() {
    return domains.size();
  }

  public int urlCount() {
    return urls.size();
  }

  /**
   * @param url the document's URL; null or blank: kept
   * @return null when kept, else {@code url_blocklist_url} or {@code url_blocklist_domain}
   */
  public String check(String url) {
    if (url == null || url.isBlank()) {
      return null;
    }
    if (!urls.isEmpty() && urls.contains(normalize(url))) {
      return "url_blocklist_url";
    }
    String host = host(url);
    if (host != null) {
      for (String h = host; ; ) {
        if (domains.contains(h)) {
          return "url_blocklist_domain";
        }
        int dot = h.indexOf('.');
        if (dot < 0) {
          break;
        }
        h = h.substring(dot + 1);
      }
    }
    return null;
  }

  /**
   * A URL in the form compared with the list: trimmed, scheme and host lower-cased, a leading {@code "www."}, the
   * default port, the fragment and a trailing {@code '/'} removed; an unparsable URL is only trimmed and lower-cased.
   */
  public static String normalize(String url) {
    String u = url.strip();
    try {
      URI uri = new URI(u);
      if (uri.getHost() == null) {
        return u.toLowerCase(Locale.ROOT);
      }
      String host = bareDomain(uri.getHost());
      int port = uri.getPort();
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      boolean defaultPort = port < 0 || ("http".equals(scheme) && port == 80) || ("https".equals(scheme) && port == 443);
      String path = uri.getRawPath() == null ? "" : uri.getRawPath();
      if (path.endsWith("/")) {
        path = path.substring(0, path.length() - 1);
      }
      return scheme + "://" + host + (defaultPort ? "" : ":" + port) + path
          + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    } catch (URISyntaxException e) {
      return u.toLowerCase(Locale.ROOT);
    }
  }

  private static String host(String url) {
    try {
      String h = new URI(url.strip()).getHost();
      return h == null ? null : bareDomain(h);
    } catch (URISyntaxException e) {
      return null;
    }
  }

  private static String bareDomain(String d) {
    String s = d.toLowerCase(Locale.ROOT);
    if (s.endsWith(".")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.startsWith("*.")) {
      s = s.substring(2);
    }
    if (s.startsWith("www.")) {
      s = s.substring(4);
    }
    return s;
  }
}

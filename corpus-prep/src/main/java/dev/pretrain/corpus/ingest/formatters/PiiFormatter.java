package dev.pretrain.corpus.ingest.formatters;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces e-mail addresses and IPv4 addresses in a document's text, after datatrove's {@code PIIFormatter} (used by
 * FineWeb, Penedo et al. 2024). Matches are found with the reference's patterns (an RFC 5322-style address; a dotted
 * quad of numbers 0..255, not bounded by word boundaries), except that the e-mail pattern ignores case. An IP
 * address is replaced only if it is globally routable when {@code onlyPublicIps} (the reference's
 * {@code ipaddress.is_global}: not in 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, 192.0.0/24, 192.0.2/24,
 * 192.168/16, 198.18/15, 198.51.100/24, 203.0.113/24, 240/4, 255.255.255.255). Replacements are taken from the
 * lists in turn; unlike the reference, the turn restarts with every document, so the output does not depend on the
 * order in which a task sees the documents. No randomness. Immutable, serializable, thread-safe.
 *
 * @param emailReplacements used in turn (default {@code email@example.com}, {@code firstname.lastname@example.org})
 * @param ipReplacements    used in turn (default: the reference's six unassigned-looking addresses)
 */
public record PiiFormatter(boolean removeEmails, boolean removeIps, boolean onlyPublicIps,
                           List<String> emailReplacements, List<String> ipReplacements) implements Serializable {
  public static final PiiFormatter DEFAULT = new PiiFormatter(true, true, true,
      List.of("email@example.com", "firstname.lastname@example.org"),
      List.of("22.214.171.124", "126.96.36.199", "188.8.131.52", "184.108.40.206", "220.127.116.11",
          "18.104.22.168"));

  private static final Pattern EMAIL = Pattern.compile(
      "\\b[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\\.)+"
          + "[a-z0-9](?:[a-z0-9-]*[a-z0-9])?|\\[(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\\.){3}(?:25[0-5]|2[0-4]"
          + "[0-9]|[01]?[0-9][0-9]?|[a-z0-9-]*[a-z0-9]:)])", Pattern.CASE_INSENSITIVE);
  private static final Pattern IPV4 = Pattern.compile(
      "(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)");
  /** {first address, prefix length} of the IPv4 ranges that are not global. */
  private static final int[][] NOT_GLOBAL = {
      {ip(0, 0, 0, 0), 8}, {ip(10, 0, 0, 0), 8}, {ip(100, 64, 0, 0), 10}, {ip(127, 0, 0, 0), 8},
      {ip(169, 254, 0, 0), 16}, {ip(172, 16, 0, 0), 12}, {ip(192, 0, 0, 0), 24}, {ip(192, 0, 2, 0), 24},
      {ip(192, 168, 0, 0), 16}, {ip(198, 18, 0, 0), 15}, {ip(198, 51, 100, 0), 24}, {ip(203, 0, 113, 0), 24},
      {ip(240, 0, 0, 0), 4}, {ip(255, 255, 255, 255), 32}};

  public PiiFormatter {
    emailReplacements = List.copyOf(emailReplacements);
    ipReplacements = List.copyOf(ipReplacements);
    if (emailReplacements.isEmpty() || ipReplacements.isEmpty()) {
      throw new IllegalArgumentException("pii: replacement lists must not be empty");
    }
  }

  /** {@link #DEFAULT} with overrides: {@code remove_emails, remove_ips, only_public_ips}. */
  public static PiiFormatter withParams(Map<String, String> params) {
    dev.pretrain.corpus.ingest.filters.FilterParams p = new dev.pretrain.corpus.ingest.filters.FilterParams("pii",
        params);
    PiiFormatter f = new PiiFormatter(p.getBoolean("remove_emails", DEFAULT.removeEmails),
        p.getBoolean("remove_ips", DEFAULT.removeIps), p.getBoolean("only_public_ips", DEFAULT.onlyPublicIps),
        DEFAULT.emailReplacements, DEFAULT.ipReplacements);
    p.checkAllUsed();
    return f;
  }

  /** {@code text} with its e-mail addresses, then its IP addresses, replaced. */
  public String apply(String text) {
    String t = text;
    if (removeEmails) {
      t = replace(t, EMAIL, emailReplacements, false);
    }
    if (removeIps) {
      t = replace(t, IPV4, ipReplacements, onlyPublicIps);
    }
    return t;
  }

  private static String replace(String text, Pattern p, List<String> replacements, boolean publicOnly) {
    Matcher m = p.matcher(text);
    if (!m.find()) {
      return text;
    }
    StringBuilder sb = new StringBuilder(text.length());
    int turn = 0;
    do {
      if (publicOnly && !isGlobal(m.group())) {
        m.appendReplacement(sb, Matcher.quoteReplacement(m.group()));
      } else {
        m.appendReplacement(sb, Matcher.quoteReplacement(replacements.get(turn)));
        turn = (turn + 1) % replacements.size();
      }
    } while (m.find());
    m.appendTail(sb);
    return sb.toString();
  }

  /** Whether a dotted-quad IPv4 address is globally routable (see the class comment). */
  public static boolean isGlobal(String dottedQuad) {
    String[] parts = dottedQuad.split("\\.");
    int a = ip(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]),
        Integer.parseInt(parts[3]));
    for (int[] net : NOT_GLOBAL) {
      int mask = net[1] == 0 ? 0 : -1 << (32 - net[1]);
      if ((a & mask) == (net[0] & mask)) {
        return false;
      }
    }
    return true;
  }

  private static int ip(int a, int b, int c, int d) {
    return (a << 24) | (b << 16) | (c << 8) | d;
  }
}

package dev.pretrain.corpus.ingest.filters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UrlFilterTest {
  @TempDir Path dir;

  private UrlFilter load(String content) throws IOException {
    Path f = dir.resolve("blocklist.txt");
    Files.writeString(f, content);
    return UrlFilter.load(f);
  }

  @Test
  void domainsBlockTheirSubdomainsAndUrlsMatchNormalized() throws IOException {
    UrlFilter f = load("# ads\n\nexample.com\n*.tracker.net\nhttps://www.Blocked.org/page/\n");
    assertEquals(2, f.domainCount());
    assertEquals(1, f.urlCount());
    assertEquals("url_blocklist_domain", f.check("http://example.com/a"));
    assertEquals("url_blocklist_domain", f.check("https://www.ads.EXAMPLE.com:8080/x?y=1"));
    assertEquals("url_blocklist_domain", f.check("https://tracker.net/"));
    assertNull(f.check("https://notexample.com/"), "a suffix that is not a sub-domain");
    assertEquals("url_blocklist_url", f.check("https://blocked.org/page"));
    assertEquals("url_blocklist_url", f.check("HTTPS://blocked.org:443/page#top"));
    assertNull(f.check("https://blocked.org/other"));
    assertNull(f.check(null), "no URL: kept");
    assertNull(f.check("not a url"));
  }

  @Test
  void badFilesNameTheFileAndLine() throws IOException {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> UrlFilter.load(dir.resolve("missing.txt")));
    assertTrue(e.getMessage().contains("missing.txt"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> load("ok.com\nbad entry.com\n"));
    assertTrue(e.getMessage().contains("blocklist.txt line 2"), e.getMessage());
  }
}

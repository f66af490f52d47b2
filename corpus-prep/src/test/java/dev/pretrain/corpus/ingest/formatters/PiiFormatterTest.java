package dev.pretrain.corpus.ingest.formatters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PiiFormatterTest {
  @Test
  void replacesEmailsAndPublicIpsInTurn() {
    String in = "Write to John.Doe@Mail.com or a@b.org, or x@y.io; hosts 8.8.8.8, 192.168.1.1 and 1.1.1.1.";
    assertEquals("Write to email@example.com or firstname.lastname@example.org, or email@example.com; hosts "
        + "22.214.171.124, 192.168.1.1 and 126.96.36.199.", PiiFormatter.DEFAULT.apply(in));
    // the turn restarts with every document
    assertEquals("a email@example.com", PiiFormatter.DEFAULT.apply("a q@r.st"));
  }

  @Test
  void privateIpsCanBeReplacedToo() {
    PiiFormatter all = PiiFormatter.withParams(Map.of("only_public_ips", "false", "remove_emails", "false"));
    assertEquals("22.214.171.124 a@b.org", all.apply("10.0.0.1 a@b.org"));
  }

  @Test
  void globalAddresses() {
    for (String ip : new String[] {"10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.0.1", "127.0.0.1",
        "100.64.0.1", "169.254.1.1", "0.1.2.3", "240.0.0.1", "255.255.255.255", "198.51.100.7", "203.0.113.9"}) {
      assertFalse(PiiFormatter.isGlobal(ip), ip);
    }
    for (String ip : new String[] {"8.8.8.8", "172.32.0.1", "100.128.0.1", "11.0.0.1", "192.169.0.1"}) {
      assertTrue(PiiFormatter.isGlobal(ip), ip);
    }
  }
}

/**
 * The demo page takes a clip id from a pasted TikTok music URL
 * (public/clip-id.js) by oEmbed's rule (src/embed/oembed.ts): the same URLs
 * give the same clip id, and what oEmbed refuses gives none.
 */
import { describe, expect, it } from "vitest";
import { clipIdFromMusicUrl } from "../../public/clip-id.js";
import { ProblemError } from "../../src/domain/problems.ts";
import { embedTarget } from "../../src/embed/oembed.ts";

const CLIP = "6703723351497508865";

/** What oEmbed takes from a URL: the clip id of a TikTok music page, else null. */
function oembedClipId(url: string): string | null {
  try {
    const target = embedTarget(url, "https://sounds.example");
    return "sound" in target ? target.sound.clipId : null;
  } catch (error) {
    if (error instanceof ProblemError) return null;
    throw error;
  }
}

describe("clipIdFromMusicUrl", () => {
  const accepted = [
    `https://www.tiktok.com/music/New-Sun-${CLIP}`,
    `https://www.tiktok.com/music/${CLIP}`,
    `https://www.tiktok.com/music/New-Sun-${CLIP}/`,
    `https://m.tiktok.com/music/New-Sun-${CLIP}`,
    `https://tiktok.com/music/New-Sun-${CLIP}`,
    `https://www.tiktok.com/music/New-Sun-${CLIP}?is_from_webapp=1&sender_device=pc`,
    `https://www.tiktok.com/music/New-Sun-${CLIP}#top`,
    `https://WWW.TikTok.com/music/New-Sun-${CLIP}`,
    `http://www.tiktok.com/music/New-Sun-${CLIP}`,
    `https://www.tiktok.com/music/%E6%97%A5%E6%9C%AC-${CLIP}`,
    `https://www.tiktok.com/music/original-sound-with-dashes-${CLIP}`,
  ];
  const refused = [
    `https://www.tiktok.com/music/New-Sun-${CLIP}/extra`,
    `https://www.tiktok.com/@someone/video/${CLIP}`,
    `https://www.tiktok.com/music/New-Sun`,
    `https://www.tiktok.com/music/New-Sun-123456789012345678901`,
    `https://vm.tiktok.com/ZMabc123/`,
    `https://evil.example/music/New-Sun-${CLIP}`,
    `https://tiktok.com.evil.example/music/New-Sun-${CLIP}`,
    `https://www.tiktok.com:8443/music/New-Sun-${CLIP}`,
    `https://user:pass@www.tiktok.com/music/New-Sun-${CLIP}`,
    `ftp://www.tiktok.com/music/New-Sun-${CLIP}`,
    `javascript:alert(1)//www.tiktok.com/music/New-Sun-${CLIP}`,
    "New Sun",
    CLIP,
    "",
  ];

  it("takes the clip id wherever oEmbed does", () => {
    for (const url of accepted) {
      expect(clipIdFromMusicUrl(url), url).toBe(CLIP);
      expect(oembedClipId(url), url).toBe(CLIP);
    }
  });

  it("takes none wherever oEmbed takes none", () => {
    for (const url of refused) {
      expect(clipIdFromMusicUrl(url), url).toBeNull();
      if (URL.canParse(url)) expect(oembedClipId(url), url).toBeNull();
    }
  });

  it("forgives what a paste brings: surrounding space, a missing https://", () => {
    expect(clipIdFromMusicUrl(`  https://www.tiktok.com/music/New-Sun-${CLIP}\n`)).toBe(CLIP);
    expect(clipIdFromMusicUrl(`www.tiktok.com/music/New-Sun-${CLIP}`)).toBe(CLIP);
    expect(clipIdFromMusicUrl(`tiktok.com/music/${CLIP}/`)).toBe(CLIP);
    expect(clipIdFromMusicUrl(`m.tiktok.com/music/New-Sun-${CLIP}?lang=en`)).toBe(CLIP);
    expect(clipIdFromMusicUrl("evil.example/music/x-1")).toBeNull();
  });
});

// <tiktok-sound>: the stable address to embed (cached for minutes). It loads the build named
// after its content hash (cached for a year); see the README, "Embed the widget".
export * from "./widget/tiktok-sound.8b3f6b4559.js";

"""The Teams app package's sources as Teams developers know them, filled in by `projectbot manifest` (bot/manifest.py).

- `manifest.json` — the manifest (schema 1.22) in the default language, Belgian Dutch. `{{NAME}}` placeholders are
  filled when the package is built: `{{APP_ID}}` (defaults to the bot id, the usual choice for a bot-only app),
  `{{BOT_ID}}` (the Entra app registration's client id), `{{VERSION}}`, the developer details `{{DEVELOPER_NAME}}`,
  `{{WEBSITE_URL}}`, `{{PRIVACY_URL}}`, `{{TERMS_OF_USE_URL}}` (PROJECTBOT_DEVELOPER_NAME, ... or flags),
  `{{VALID_DOMAINS}}` (a list) and one command list per scope, `{{PERSONAL_COMMANDS}}`, `{{TEAM_COMMANDS}}` and
  `{{GROUP_CHAT_COMMANDS}}` (the 10 best of bot/manifest.py's MENU_RANKING, from the capabilities' registry).
  `supportsFiles` is on because the bot sends exports and reports through the file-consent flow. The one compose
  extension (bot-based, answered by the same bot) holds the search command `searchProjects` (dialogs/status/search.py)
  and the message action `logTimeFromMessage` (dialogs/timelog/from_message.py). The resource-specific permissions
  `OnlineMeeting.ReadBasic.Chat` and `ChannelMeeting.ReadBasic.Group`, with `webApplicationInfo` naming the bot's
  app registration, let Teams send the bot a meeting's start and end in the meeting chat it was added to
  (dialogs/meetings/live.py; docs/deploy.md says what an admin consents to).
- `en.json` — the English localization: the listing texts and the compose extension's commands; the bot's command
  titles and descriptions are added when the package is built, keyed by their path in the manifest. A Teams client
  in English (en-US, en-GB, ...) reads it; a new language is a `<language>.json` file here plus its entry in the
  manifest's `additionalLanguages`.
- `color.png` (192×192) and `outline.png` (32×32, white on transparent) — drawn by `make_icons.py` (run
  `python manifest/make_icons.py` from the repository root); the PNGs are committed and copied as they are.

The texts are store-listing content (what the Teams app catalogue shows), not chat messages, which is why they live
here and not in the message catalogues (cards/locales).
"""

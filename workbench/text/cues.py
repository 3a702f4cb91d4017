"""Wording cues for line labels, per language, kept as data apart from the layout logic.

Each cue is a compiled pattern over a whole normalized line. Add a language by adding its
words here; ``labels.py`` decides how cues and layout combine.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

# "Source:" lines, with or without a URL: nb/da Kilde, sv Källa, pl Źródło, de Quelle,
# ru Источник, en Source, vi Nguồn, fr Source, es Fuente, it Fonte, nl Bron, cs Zdroj.
# Without a URL, a short name list: "Kilde: VNA", "Źródło: VnExpress, Reuters",
# "Источник: Газета «Нян Зан»" (at most eight words, no sentence after them).
SOURCE = re.compile(
    r"^(?:Kilde(?:r)?|Kjelde|Källa|Källor|Źródło|Źródła|Zrodlo|Quelle(?:n)?|Источник(?:и)?|"
    r"Джерело|Sources?|Nguồn|Fuente|Fonte|Bron|Zdroj|Lähde)"
    r"(?:\s*[:：]?\s*(?P<url>https?://\S+)|\s*[:：]\s*(?:[^\s.!?]+[ ,/&]*){1,8}|"
    r"\s*[:：]?)\s*$", _I)

# Comment counters: "Kommentar (0)", "Komentarz (3)", "Комментарий (0)", "Comments (12)"...
COMMENTS = re.compile(
    r"^(?:Kommentar(?:er|e)?|Komentarz(?:e|y)?|Комментари[йяи]?|Коментарі?|Comments?|"
    r"Bình luận|Kommentti(?:a)?|Commentaires?|Comentarios?|Commenti)\s*\(\s*\d+\s*\)$", _I)
#: ...and the count first: "14 kommentarer", "8 Kommentare", "27 komentarzy", "15 комментариев".
COMMENT_COUNT = re.compile(
    r"^\d+\s+(?:kommentar(?:er|e)?|komentarz(?:e|y)?|коммент\w*|comments?)$", _I)

# View counters: "Просмотров: 1 245", "Wyświetleń: 12", "Aufrufe 3.400", "Views: 12"...
VIEWS = re.compile(
    r"^(?:Просмотр(?:ов|ы)?|Переглядів|Wyświetle(?:ń|nia)|Aufrufe|Visning(?:ar|er)|Views?|"
    r"Lượt xem|Lukukerrat)\s*[:：]?\s*\d[\d\s.,]*$", _I)

# Ad slots: "[Anzeige_2]", "[Annonse]", "[Reklama 1]", "[ad_1]"...
AD_SLOT = re.compile(
    r"^\[(?:Anzeige|Annonse|Annons|Reklama|Реклама|Ad|Ads|Advertisement|Werbung|Quảng cáo)"
    r"[_ -]?\d*\]$", _I)

# Placeholder lines left by scrapers, by the language they are written in (an English
# "No data" in a Swedish page is English, and its record says so).
EMPTY_WIDGET: dict[str, re.Pattern[str]] = {
    "en": re.compile(r"^(?:No data|No results|Loading\.*|No comments yet)$", _I),
    "nb": re.compile(r"^(?:Ingen data|Laster\.*)$", _I),
    "sv": re.compile(r"^(?:Inga data|Laddar\.*)$", _I),
    "pl": re.compile(r"^(?:Brak danych|Ładowanie\.*)$", _I),
    "de": re.compile(r"^(?:Keine Daten|Wird geladen\.*)$", _I),
    "ru": re.compile(r"^(?:Нет данных|Загрузка\.*)$", _I),
    "vi": re.compile(r"^(?:Không có dữ liệu|Đang tải\.*)$", _I),
}

# Headings that introduce lists of other articles ("related", "same category", "more from",
# "most read").
RELATED = re.compile(
    r"^(?:(?:Mest lest(?:e)?|Mest lästa|Mest læste|Meistgelesen|Am meisten gelesen|"
    r"Najczęściej czytane|Самое (?:читаемое|популярное)|Most read|Siste nytt|Senaste nytt|"
    r"Najnowsze|Neueste|Последние новости|Latest)"
    r"(?:\s+(?:nå|nu|just nu|i dag|idag|jetzt|heute|teraz|dziś|сейчас|сегодня|now|today))?|"
    r"Polecane|Anbefalt|Anbefalte saker|Rekommenderat|Rekommenderade|Empfohlen|"
    r"Empfehlungen|Рекомендуем|Recommended|"
    r"Najpopularniejsze|I samma ämne|I samma kategori|Av samma författare|Relaterade(?: artiklar)?|"
    r"Läs också|Läs mer|Relaterte(?: artikler| saker)?|Les også|Les mer|I samme kategori|"
    r"Av samme forfatter|Relaterede artikler|Læs også|Se også|"
    r"Zobacz (?:też|także|również)|Czytaj (?:też|także|również)|Powiązane(?: artykuły)?|"
    r"Podobne artykuły|Z tej samej kategorii|Tego samego autora|"
    r"Mehr zum Thema|Lesen Sie auch|Das könnte Sie (?:auch )?interessieren|Verwandte Artikel|"
    r"Weitere Artikel|Aus der gleichen Kategorie|Vom selben Autor|"
    r"Читайте также|Смотрите также|Похожие (?:статьи|новости)|По теме|"
    r"Другие новости|В той же категории|Того же автора|"
    r"Related(?: articles| news| stories)?|Read (?:also|more)|See also|More from .{1,40}|"
    r"In the same (?:topic|category)|By the same author|Tin liên quan|Cùng chuyên mục|"
    r"Cùng tác giả)\s*:?$", _I)

# Photo credits: "(Foto: Thong Nhat/VNA)", "Foto: Phuong Hoa/VNA", "Фото: ТАСС", "Ảnh: TTXVN".
PHOTO_CREDIT = re.compile(
    r"(?:\((?:Foto|Zdjęcie|Фото|Photo|Ảnh|Bild|Kuva)\s*:[^)]*\)|\((?:Fot|Фот)\.\s*[^)]*\)"
    r"|(?:^|[.!?]\s+|\s)(?:Foto|Fot\.|Zdjęcie|Фото|Photo|Ảnh|Bild|Kuva)\s*:\s*\S[^.]{0,80}$"
    r"|(?:/|\b)(?:VNA|TTXVN|ВИА|VNA/[A-Z]+)\)?\.?$)")

# "Read also: <headline>" inside the body: a link to another article, on one line.
READ_ALSO = re.compile(
    r"^(?:Les også|Les mer|Læs også|Se også|Läs (?:också|även|mer)|Czytaj (?:też|także|również)|"
    r"Zobacz (?:też|także|również)|Lesen Sie auch|Mehr zum Thema|Читайте также|Смотрите также|"
    r"Read (?:also|more)|See also|Xem thêm|Đọc thêm)\s*:\s*\S", _I)

# Lines of site furniture, by what they say: cookie banners, newsletter and channel sign-ups,
# tag lists, share bars, ad markers without brackets.
COOKIES = re.compile(r"\b(?:cookies?|informasjonskapsler|kakor|ciasteczk\w*|файл\w* cookie)\b",
                     _I)
#: ...in a banner: "we use", "accept" (a sentence about a cookie law is article text).
COOKIE_BANNER = re.compile(
    r"\b(?:we use|uses|bruker|bruke|använder|anvende|verwendet|verwenden|używamy|używa|"
    r"используем|использует|accept\w*|godta\w*|acceptera\w*|akzeptier\w*|zgadzasz|"
    r"соглашаетесь|stimmen Sie)\b", _I)
# Sign-ups, by the verb that opens them: "Abonner på nyhetsbrevet", "Newsletter abonnieren",
# "Zapisz się do newslettera", "Подписывайтесь на наш Telegram-канал", "Registrer deg".
SIGN_UP = re.compile(
    r"^(?:Abonner(?:er)?|Abonnieren Sie|Newsletter|Prenumerera|Zapisz się|Subskrybuj|"
    r"Подписывайтесь|Подпишитесь|Subscribe|Sign up|Registrer deg|Registrera dig|"
    r"Melden Sie sich)\b", _I)
TAGS = re.compile(r"^(?:Tagi|Tags?|Taggar|Stikkord|Emneord|Nøkkelord|Schlagwörter|Schlagworte|"
                  r"Themen|Теги|Тэги|Ключевые слова|Từ khóa)\s*:", _I)
_NETWORKS = r"(?:Facebook|Twitter|X|LinkedIn|WhatsApp|Telegram|ВКонтакте|VK|E-?mail|E-post|" \
    r"Messenger|Kopier lenke|Kopiera länk|Link kopieren|Kopiuj link)"
SHARE = re.compile(rf"^(?:(?:Del|Dela|Teilen|Udostępnij|Поделиться|Share)(?: på| on)?\s*:?\s*)?"
                   rf"{_NETWORKS}(?:\s*[|·•,/]?\s*(?:Del på |Dela på |Share on )?{_NETWORKS})+$",
                   _I)
# Consent banners, by the words only they use together: consent, privacy, personal data,
# cookies. Trusted only at the top of a page, before the article's first prose.
CONSENT = re.compile(
    r"(?:samtykke\w*|samtycke\w*|Einwilligung\w*|Zustimmung|zgod[aęy]\b|согласи[еюя]\b|"
    r"consent\w*|personvern\w*|personuppgift\w*|integritet\w*|Datenschutz\w*|prywatnoś\w*|"
    r"конфиденциальност\w*|privacy|personenbezogene\w*|dane osobowe|персональн\w* данн\w*|"
    r"personopplysning\w*|cookie\w*|kakor|informasjonskapsl\w*)", _I)
# Copyright and rights notices: "© 2025 Avisa AS", "Alle Rechte vorbehalten".
COPYRIGHT = re.compile(
    r"©|\(c\)\s*\d{4}|\b(?:all rights reserved|alle rettigheter|alla rättigheter|"
    r"alle Rechte|wszelkie prawa|prawem autorskim|все права|upphovsrätt\w*|opphavsrett\w*|"
    r"Urheberrecht\w*)", _I)
# Reading and listening times, media players: "Lesetid: 4 minutter", "Lyssna: 4 min",
# "Artikel anhören (4 Min.)", "Время чтения: 3 мин", "00:00 / 05:31".
MEDIA_TIME = re.compile(r"\b\d+\s*(?:min|мин|minut|minuter|minutter|Minuten)\b\.?|"
                        r"^\d{1,2}:\d{2}\s*/\s*\d{1,2}:\d{2}$", _I)
# A gallery's counter: "3/12", "3 / 12", "Bild 3 av 12" is one a reader clicks through.
GALLERY = re.compile(r"^(?:\w+\s+)?\d{1,3}\s*(?:/|av|of|von|z|из)\s*\d{1,3}$", _I)
AD_WORD = re.compile(r"^(?:Reklama|Anzeige|Werbung|Annonse|Annons|Реклама|Advertisement|"
                     r"Reklame|Quảng cáo)$", _I)

# A line that only announces a caption ("Bildtext", "Bildunterschrift", "Podpis zdjęcia").
CAPTION_LABEL = re.compile(
    r"^(?:Bildtext|Bildtekst|Bildetekst|Billedtekst|Bildunterschrift|Podpis(?: zdjęcia)?|"
    r"Подпись(?: к фото)?|Caption|Photo caption|Chú thích ảnh|Kuvateksti)\s*:?$", _I)

# A photo credit standing alone: "Foto: VNA", "Fot. PAP/EPA", "Фото: ТАСС", "Ảnh: TTXVN".
CREDIT = re.compile(r"^(?:(?:Foto|Fotó|Zdjęcie|Фото|Photo|Ảnh|Bild|Billede|Kuva)\s*:|Fot\.)"
                    r"\s*[^\s.!?]\S*(?:\s+\S+){0,8}(?<![.!?])$", _I)

# Bylines: "Av Thu Trang", "Von Minh Anh", "Autor: Ngoc Lan", "Автор: Нгуен Тхи Ха".
BYLINE = re.compile(r"^(?:Av|Af|Von|By|Przez|Text|Tekst|Текст|Autor(?:ka)?|Автор|Författare|"
                    r"Forfatter|Skrevet av|Tác giả)\s*:?\s+\S+(?:\s+\S+){0,6}$")

# Dates written with a month's name ("29. oktober", "3 marca 2025", "12. Juni 2025",
# "10 мая 2025"), publication stamps ("Publicerad", "Opublikowano:") and bare times ("14:05").
#: Month names (as they follow a day) by month number, in the languages we label.
MONTH_NUMBERS: dict[str, int] = {
    name: number for number, names in enumerate((
        "januar januari jänner january stycznia styczeń января",
        "februar februari february lutego luty февраля",
        "mars märz march marca marzec марта",
        "april kwietnia kwiecień апреля",
        "mai maj may maja мая",
        "juni june czerwca czerwiec июня",
        "juli july lipca lipiec июля",
        "august augusti sierpnia sierpień августа",
        "september september września wrzesień сентября",
        "oktober october października październik октября",
        "november listopada listopad ноября",
        "desember december dezember grudnia grudzień декабря"), 1)
    for name in names.split()}
_MONTHS = "|".join(sorted(MONTH_NUMBERS, key=len, reverse=True))
MONTH_DATE = re.compile(rf"(?<!\w)(?P<day>\d{{1,2}})\.?\s+(?P<month>{_MONTHS})(?!\w)"
                        rf"(?:,?\s+(?P<year>(?:19|20)\d{{2}})(?!\d))?", _I)
PUBLISHED = re.compile(
    r"^(?:Publisert|Oppdatert|Publicerad|Uppdaterad|Publiceret|Veröffentlicht|Aktualisiert|"
    r"Stand|Opublikowano|Aktualizacja|Zaktualizowano|Опубликовано|Обновлено|Published|Updated|"
    r"Posted)\b", _I)
TIME = re.compile(r"^\d{1,2}[:.]\d{2}$")

# Verbs and nouns typical of picture descriptions, per language: "X speaks at ...",
# "Delegates attending ...", "Overview of the conference", "Conference scene".
CAPTION_WORDS: dict[str, re.Pattern[str]] = {
    "nb": re.compile(r"\b(?:taler|holder tale|ønsker velkommen|tar imot|deltar|deltakere|"
                     r"delegater|oversikt over|scene fra|overrekker|mottar|på bildet)\b", _I),
    "da": re.compile(r"\b(?:taler|holder tale|deltager|deltagere|delegerede|oversigt over|"
                     r"overrækker|modtager|på billedet)\b", _I),
    "sv": re.compile(r"\b(?:talar|håller tal|välkomnar|deltar|deltagare|delegater|"
                     r"översikt över|konferensscen|överlämnar|tar emot|på bilden)\b", _I),
    "de": re.compile(r"\b(?:spricht|hält eine Rede|begrüßt|empfängt|gibt Anweisungen|"
                     r"beobachtet|überreicht|nehmen an|Delegierte|Überblick über|"
                     r"Szene (?:der|von)|im Bild)\b", _I),
    "pl": re.compile(r"\b(?:przemawia|przemawiają|wręcza|wita|witają|uczestniczący|"
                     r"uczestniczące|Delegaci|odbyła się online|widok (?:ogólny|na)|"
                     r"na zdjęciu)\b", _I),
    "ru": re.compile(r"\b(?:выступает|выступил с|вручает|приветствует|встречает|делегаты|"
                     r"участники|общий вид|на фото)\b", _I),
    "en": re.compile(r"\b(?:speaks at|delivers a speech|welcomes|receives|presents|"
                     r"delegates attend|overview of|scene of|pictured)\b", _I),
}

# A short line that is only a date, or a site name and a date: "Báo Tin Tức 29/10/2025".
DATE = re.compile(r"(?<!\d)(?P<d>\d{1,2})[./-](?P<m>\d{1,2})[./-](?P<y>(?:19|20)\d{2})(?!\d)"
                  r"|(?<!\d)(?P<Y>(?:19|20)\d{2})-(?P<M>\d{2})-(?P<D>\d{2})(?!\d)")

# Site banners: "Vietnam.vn - Nền tảng quảng bá Việt Nam", "VnExpress | Tin tức".
SITE_BANNER = re.compile(r"^\S+\.(?:vn|com|net|org|de|no|se|pl|ru|dk)\b\s*[-–|:]\s*\S", _I)

# Function words that can open a glued token ("desPolitbüros") and so make a split certain.
GLUE_PREFIXES: dict[str, frozenset[str]] = {
    "de": frozenset({"des", "der", "die", "das", "den", "dem", "und", "von", "zur", "zum",
                     "mit", "im", "in", "am", "auf", "für"}),
    "nb": frozenset({"og", "i", "på", "til", "av", "for", "med", "den", "det", "de"}),
    "da": frozenset({"og", "i", "på", "til", "af", "for", "med", "den", "det", "de"}),
    "sv": frozenset({"och", "i", "på", "till", "av", "för", "med", "den", "det", "de"}),
    "pl": frozenset({"i", "w", "z", "na", "do", "oraz", "dla", "od"}),
    "ru": frozenset({"и", "в", "на", "с", "к", "по", "для", "от"}),
    "en": frozenset({"the", "of", "and", "in", "on", "to", "for", "with"}),
}

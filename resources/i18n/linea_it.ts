<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="it_IT">
<context>
    <name>Alarms</name>
    <message>
        <source>No active alarms</source>
        <translation>Nessun allarme attivo</translation>
    </message>
    <message>
        <source>UNACK</source>
        <translation>NON RICON.</translation>
    </message>
    <message>
        <source>Latched</source>
        <translation>Memorizzato</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Attivo</translation>
    </message>
    <message>
        <source>Acknowledge</source>
        <translation>Riconosci</translation>
    </message>
    <message>
        <source>Silence</source>
        <translation>Tacita</translation>
    </message>
    <message>
        <source>Alarm list</source>
        <extracomment>the state filter: its words and the states it shows (None: every alarm configured)</extracomment>
        <translation>Elenco allarmi</translation>
    </message>
    <message>
        <source>+{n} more</source>
        <translation>+ altri {n}</translation>
    </message>
    <message>
        <source>{n} unack.</source>
        <translation>{n} non ricon.</translation>
    </message>
    <message>
        <source>Normal</source>
        <translation>Normale</translation>
    </message>
    <message>
        <source>UNACK · active</source>
        <translation>NON RICON. · attivo</translation>
    </message>
    <message>
        <source>UNACK · cleared</source>
        <translation>NON RICON. · rientrato</translation>
    </message>
    <message>
        <source>Shelved</source>
        <translation>Accantonato</translation>
    </message>
    <message>
        <source>Suppressed by design</source>
        <translation>Soppresso da progetto</translation>
    </message>
    <message>
        <source>Out of service</source>
        <translation>Fuori servizio</translation>
    </message>
    <message>
        <source>UNACK · latched</source>
        <translation>NON RICON. · memorizzato</translation>
    </message>
    <message>
        <source>Raised</source>
        <translation>Comparso</translation>
    </message>
    <message>
        <source>Cleared</source>
        <translation>Rientrato</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>Riconosciuto</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>Ripristinato</translation>
    </message>
    <message>
        <source>Unshelved</source>
        <translation>Tolto dall&apos;accantonamento</translation>
    </message>
    <message>
        <source>Suppressed</source>
        <translation>Soppresso</translation>
    </message>
    <message>
        <source>Unsuppressed</source>
        <translation>Non più soppresso</translation>
    </message>
    <message>
        <source>Back in service</source>
        <translation>Di nuovo in servizio</translation>
    </message>
    <message>
        <source>critical</source>
        <translation>critica</translation>
    </message>
    <message>
        <source>high</source>
        <translation>alta</translation>
    </message>
    <message>
        <source>medium</source>
        <translation>media</translation>
    </message>
    <message>
        <source>low</source>
        <translation>bassa</translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation>Ultima ora</translation>
    </message>
    <message>
        <source>8 h</source>
        <translation>8 h</translation>
    </message>
    <message>
        <source>24 h</source>
        <translation>24 h</translation>
    </message>
    <message>
        <source>7 days</source>
        <translation>7 giorni</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>Personalizzato</translation>
    </message>
    <message>
        <source>from</source>
        <translation>da</translation>
    </message>
    <message>
        <source>to</source>
        <translation>a</translation>
    </message>
    <message>
        <source>Tag (line1.* for all of line 1)</source>
        <translation>Tag (line1.* per tutta la linea 1)</translation>
    </message>
    <message>
        <source>Text in message, id, user, comment</source>
        <translation>Testo in messaggio, id, utente, commento</translation>
    </message>
    <message>
        <source>All priorities</source>
        <translation>Tutte le priorità</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Cerca</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>Esporta CSV…</translation>
    </message>
    <message>
        <source>Newer</source>
        <translation>Più recenti</translation>
    </message>
    <message>
        <source>Older</source>
        <translation>Meno recenti</translation>
    </message>
    <message>
        <source>The journal cannot be read: {e}</source>
        <translation>Il giornale non si può leggere: {e}</translation>
    </message>
    <message>
        <source>Page {p}: entries {a}–{b}{more}</source>
        <translation>Pagina {p}: voci {a}–{b}{more}</translation>
    </message>
    <message>
        <source>, more older</source>
        <translation>, altre più vecchie</translation>
    </message>
    <message>
        <source>Export the alarm journal</source>
        <translation>Esporta il giornale degli allarmi</translation>
    </message>
    <message>
        <source>Writing {path} …</source>
        <translation>Scrittura di {path} …</translation>
    </message>
    <message>
        <source>Export failed: {e}</source>
        <translation>Esportazione non riuscita: {e}</translation>
    </message>
    <message>
        <source>{n} entries written to {path}</source>
        <translation>{n} voci scritte in {path}</translation>
    </message>
    <message>
        <source>30 days</source>
        <translation>30 giorni</translation>
    </message>
    <message>
        <source>guide {g}</source>
        <extracomment>ISA-18.2&apos;s rough guide for the share of each priority among activations</extracomment>
        <translation>riferimento {g}</translation>
    </message>
    <message>
        <source>Export CSV report…</source>
        <translation>Esporta rapporto CSV…</translation>
    </message>
    <message>
        <source>Alarms in the period</source>
        <translation>Allarmi nel periodo</translation>
    </message>
    <message>
        <source>Per 10 minutes (average)</source>
        <translation>Ogni 10 minuti (media)</translation>
    </message>
    <message>
        <source>Most in any 10 minutes</source>
        <translation>Massimo in 10 minuti</translation>
    </message>
    <message>
        <source>Time in flood (more than 10 in 10 min)</source>
        <translation>Tempo in valanga (più di 10 in 10 min)</translation>
    </message>
    <message>
        <source>Alarms</source>
        <translation>Allarmi</translation>
    </message>
    <message>
        <source>Per 10 min</source>
        <translation>Ogni 10 min</translation>
    </message>
    <message>
        <source>Peak 10 min</source>
        <translation>Picco 10 min</translation>
    </message>
    <message>
        <source>In flood</source>
        <translation>In valanga</translation>
    </message>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>Numero</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>Quota</translation>
    </message>
    <message>
        <source>Most in 1 min</source>
        <translation>Massimo in 1 min</translation>
    </message>
    <message>
        <source>In all</source>
        <translation>In totale</translation>
    </message>
    <message>
        <source>Active for</source>
        <translation>Attivo da</translation>
    </message>
    <message>
        <source>Alarms per line</source>
        <translation>Allarmi per linea</translation>
    </message>
    <message>
        <source>Priority distribution</source>
        <translation>Distribuzione per priorità</translation>
    </message>
    <message>
        <source>Top 10 most frequent (bad actors)</source>
        <translation>I 10 più frequenti (bad actor)</translation>
    </message>
    <message>
        <source>Chattering (3 or more in a minute)</source>
        <translation>Intermittenti (3 o più in un minuto)</translation>
    </message>
    <message>
        <source>Stale (active more than 24 h)</source>
        <translation>Stantii (attivi da più di 24 h)</translation>
    </message>
    <message>
        <source>above target</source>
        <translation>oltre l&apos;obiettivo</translation>
    </message>
    <message>
        <source>target ≤ 1</source>
        <translation>obiettivo ≤ 1</translation>
    </message>
    <message>
        <source>flood above 10</source>
        <translation>valanga oltre 10</translation>
    </message>
    <message>
        <source>target &lt; 1 %</source>
        <translation>obiettivo &lt; 1 %</translation>
    </message>
    <message>
        <source>none</source>
        <translation>nessuno</translation>
    </message>
    <message>
        <source>Export the alarm KPI report</source>
        <translation>Esporta il rapporto KPI degli allarmi</translation>
    </message>
    <message>
        <source>KPI report written to {path}</source>
        <translation>Rapporto KPI scritto in {path}</translation>
    </message>
    <message>
        <source>Prio</source>
        <translation>Prio</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Ora</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>Linea</translation>
    </message>
    <message>
        <source>Alarm</source>
        <translation>Allarme</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Valore</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Stato</translation>
    </message>
    <message>
        <source>Alarm id</source>
        <translation>Id allarme</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Cosa</translation>
    </message>
    <message>
        <source>State after</source>
        <translation>Stato dopo</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Messaggio</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Utente</translation>
    </message>
    <message>
        <source>Comment / reason</source>
        <translation>Commento / motivo</translation>
    </message>
    <message>
        <source>Back to the screen</source>
        <translation>Torna alla schermata</translation>
    </message>
    <message>
        <source>Journal</source>
        <translation>Giornale</translation>
    </message>
    <message>
        <source>Alarm KPIs</source>
        <translation>KPI allarmi</translation>
    </message>
    <message>
        <source>{action}: {n} alarm(s)</source>
        <extracomment>shelving times offered (seconds); the operator picks one, never types a number</extracomment>
        <translation type="vanished">{action}: {n} allarme/i</translation>
    </message>
    <message>
        <source>Comment (optional), kept in the journal with your name</source>
        <translation>Commento (facoltativo), registrato nel giornale con il tuo nome</translation>
    </message>
    <message>
        <source>Reason (required), kept in the journal with your name</source>
        <translation>Motivo (obbligatorio), registrato nel giornale con il tuo nome</translation>
    </message>
    <message>
        <source>Give a reason</source>
        <translation>Indica un motivo</translation>
    </message>
    <message>
        <source>Shelve {n} alarm(s)</source>
        <translation type="vanished">Accantona {n} allarme/i</translation>
    </message>
    <message>
        <source>For how long, and why (required)</source>
        <translation>Per quanto tempo e perché (obbligatorio)</translation>
    </message>
    <message>
        <source>Give a reason for shelving</source>
        <translation>Indica il motivo dell&apos;accantonamento</translation>
    </message>
    <message>
        <source>Shelve</source>
        <translation>Accantona</translation>
    </message>
    <message>
        <source>{action}: {n} alarms</source>
        <extracomment>shelving times offered (seconds); the operator picks one, never types a number</extracomment>
        <translation>{action}: {n} allarmi</translation>
    </message>
    <message>
        <source>… and {n} more</source>
        <translation>… e altri {n}</translation>
    </message>
    <message>
        <source>Until it clears</source>
        <translation>Finché rientra</translation>
    </message>
    <message>
        <source>Unacknowledged</source>
        <translation>Non riconosciuti</translation>
    </message>
    <message>
        <source>All alarms</source>
        <translation>Tutti gli allarmi</translation>
    </message>
    <message>
        <source>All lines</source>
        <translation>Tutte le linee</translation>
    </message>
    <message>
        <source>Ack. selected</source>
        <translation>Ricon. selezionati</translation>
    </message>
    <message>
        <source>Ack. all shown</source>
        <translation>Ricon. tutti i mostrati</translation>
    </message>
    <message>
        <source>Reset latched</source>
        <translation>Ripristina memorizzati</translation>
    </message>
    <message>
        <source>Its screen</source>
        <translation>La sua schermata</translation>
    </message>
    <message>
        <source>Shelve…</source>
        <translation>Accantona…</translation>
    </message>
    <message>
        <source>Unshelve</source>
        <translation>Togli accantonamento</translation>
    </message>
    <message>
        <source>Out of service…</source>
        <translation>Fuori servizio…</translation>
    </message>
    <message>
        <source>Select all</source>
        <translation>Seleziona tutto</translation>
    </message>
    <message>
        <source>Select none</source>
        <translation>Deseleziona tutto</translation>
    </message>
    <message>
        <source>{n} shown, {k} selected</source>
        <translation>{n} mostrati, {k} selezionati</translation>
    </message>
    <message>
        <source>{n} alarm(s) acknowledged</source>
        <translation>{n} allarme/i riconosciuto/i</translation>
    </message>
    <message>
        <source>{n} alarm(s) reset</source>
        <translation>{n} allarme/i ripristinato/i</translation>
    </message>
    <message>
        <source>{n} alarm(s) shelved</source>
        <translation>{n} allarme/i accantonato/i</translation>
    </message>
    <message>
        <source>{n} alarm(s) unshelved</source>
        <translation>{n} allarme/i tolto/i dall&apos;accantonamento</translation>
    </message>
    <message>
        <source>{n} alarm(s) out of service</source>
        <translation>{n} allarme/i fuori servizio</translation>
    </message>
    <message>
        <source>Return to service</source>
        <translation>Rimetti in servizio</translation>
    </message>
    <message>
        <source>{n} alarm(s) back in service</source>
        <translation>{n} allarme/i di nuovo in servizio</translation>
    </message>
</context>
<context>
    <name>DeviceStatus</name>
    <message>
        <source>connecting</source>
        <extracomment>every language the application can be told to speak, with its own name for itself told the new language after every switch (the core&apos;s translator of messages, ...)</extracomment>
        <translation>in connessione</translation>
    </message>
    <message>
        <source>online</source>
        <translation>in linea</translation>
    </message>
    <message>
        <source>degraded</source>
        <translation>degradato</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>fuori linea</translation>
    </message>
    <message>
        <source>demoted</source>
        <translation>declassato</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>fermo</translation>
    </message>
</context>
<context>
    <name>Dialogs</name>
    <message>
        <source>no value yet</source>
        <translation>nessun valore</translation>
    </message>
    <message>
        <source>no value received yet</source>
        <translation>nessun valore ricevuto</translation>
    </message>
    <message>
        <source>good</source>
        <translation>buona</translation>
    </message>
    <message>
        <source>bad</source>
        <translation>cattiva</translation>
    </message>
    <message>
        <source>uncertain</source>
        <translation>incerta</translation>
    </message>
    <message>
        <source>Allowed: {lo} .. {hi} {units}</source>
        <translation>Consentito: {lo} .. {hi} {units}</translation>
    </message>
    <message>
        <source>Now: {value}</source>
        <translation>Attuale: {value}</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>Avanti</translation>
    </message>
    <message>
        <source>Change setpoint</source>
        <translation>Modifica setpoint</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>Conferma</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annulla</translation>
    </message>
    <message>
        <source>Write</source>
        <translation>Scrivi</translation>
    </message>
</context>
<context>
    <name>Entry</name>
    <message>
        <source>Cancel</source>
        <extracomment>a check turns the typed text into the value to use, or raises ValueError with the reason</extracomment>
        <translation>Annulla</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Enter a value</source>
        <translation>Inserire un valore</translation>
    </message>
    <message>
        <source>Enter a text</source>
        <translation>Inserire un testo</translation>
    </message>
</context>
<context>
    <name>Faceplate</name>
    <message>
        <source>Normal: {lo} .. {hi} {units}</source>
        <translation>Normale: {lo} .. {hi} {units}</translation>
    </message>
    <message>
        <source>{name} {value} (priority {priority})</source>
        <translation>{name} {value} (priorità {priority})</translation>
    </message>
    <message>
        <source>Alarm limits: {limits}</source>
        <translation>Limiti di allarme: {limits}</translation>
    </message>
    <message>
        <source>Connection of {device}</source>
        <translation>Connessione di {device}</translation>
    </message>
    <message>
        <source>Range: {lo} .. {hi} {units}</source>
        <translation>Campo: {lo} .. {hi} {units}</translation>
    </message>
    <message>
        <source>Switch on</source>
        <translation>Accendi</translation>
    </message>
    <message>
        <source>Switch off</source>
        <translation>Spegni</translation>
    </message>
    <message>
        <source>Change…</source>
        <translation>Modifica…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Chiudi</translation>
    </message>
    <message>
        <source>Quality: {quality}</source>
        <translation>Qualità: {quality}</translation>
    </message>
    <message>
        <source>received {time}</source>
        <translation>ricevuto alle {time}</translation>
    </message>
    <message>
        <source>measured {time}</source>
        <translation>misurato alle {time}</translation>
    </message>
</context>
<context>
    <name>Header</name>
    <message>
        <source>Local storage cannot write ({reason}). Polling goes on; records wait in memory until space returns.</source>
        <translation>Archivio locale non scrivibile ({reason}). La lettura continua; i dati restano in memoria finché torna lo spazio.</translation>
    </message>
    <message>
        <source>operator: {name}</source>
        <translation>operatore: {name}</translation>
    </message>
    <message>
        <source>No active alarms</source>
        <translation>Nessun allarme attivo</translation>
    </message>
    <message>
        <source>Language: {name}</source>
        <translation>Lingua: {name}</translation>
    </message>
</context>
<context>
    <name>Keypad</name>
    <message>
        <source>Clear</source>
        <translation>Canc</translation>
    </message>
    <message>
        <source>space</source>
        <translation>spazio</translation>
    </message>
</context>
<context>
    <name>NavBar</name>
    <message>
        <source>Screens</source>
        <translation>Schermate</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Chiudi</translation>
    </message>
    <message>
        <source>Home</source>
        <translation>Inizio</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Indietro</translation>
    </message>
    <message>
        <source>Up</source>
        <translation>Su</translation>
    </message>
    <message>
        <source>New window</source>
        <translation>Nuova finestra</translation>
    </message>
    <message>
        <source>Side by side</source>
        <translation>Affiancate</translation>
    </message>
    <message>
        <source>Close pane</source>
        <translation>Chiudi riquadro</translation>
    </message>
    <message>
        <source>Also: middle-click or Ctrl+click a screen button</source>
        <translation>Anche: clic centrale o Ctrl+clic su un pulsante di schermata</translation>
    </message>
</context>
<context>
    <name>Operator</name>
    <message>
        <source>Sends {value} to {tag}.</source>
        <translation>Invia {value} a {tag}.</translation>
    </message>
    <message>
        <source>Set {name} to {value} {units}?</source>
        <translation>Impostare {name} a {value} {units}?</translation>
    </message>
    <message>
        <source>Now: {now}. Tag: {tag}.</source>
        <translation>Attuale: {now}. Tag: {tag}.</translation>
    </message>
</context>
<context>
    <name>Panel</name>
    <message>
        <source>There is no screen named &apos;{name}&apos;</source>
        <translation>Non esiste una schermata di nome &apos;{name}&apos;</translation>
    </message>
    <message>
        <source>done</source>
        <translation>eseguito</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>rifiutato</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>non riuscito</translation>
    </message>
    <message>
        <source>This project has no screens</source>
        <translation>Questo progetto non ha schermate</translation>
    </message>
    <message>
        <source>Back to the screen</source>
        <translation>Torna alla schermata</translation>
    </message>
</context>
<context>
    <name>ScreenHost</name>
    <message>
        <source>... and {count} more</source>
        <translation>... e altri {count}</translation>
    </message>
    <message>
        <source>Screen file problems (the last good version is shown):</source>
        <translation>Problemi nei file delle schermate (è mostrata l&apos;ultima versione valida):</translation>
    </message>
</context>
<context>
    <name>Symbol</name>
    <message>
        <source>on</source>
        <translation>acceso</translation>
    </message>
    <message>
        <source>off</source>
        <translation>spento</translation>
    </message>
    <message>
        <source>no value received yet</source>
        <translation>nessun valore ricevuto</translation>
    </message>
    <message>
        <source>SP</source>
        <translation>SP</translation>
    </message>
    <message>
        <source>state {value}</source>
        <translation>stato {value}</translation>
    </message>
</context>
<context>
    <name>Trend</name>
    <message>
        <source>Close</source>
        <translation>Chiudi</translation>
    </message>
    <message>
        <source>Trend</source>
        <translation>Andamento</translation>
    </message>
    <message>
        <source>Saved the view &apos;{name}&apos;</source>
        <translation>Vista &apos;{name}&apos; salvata</translation>
    </message>
    <message>
        <source>Export failed: {error}</source>
        <translation>Esportazione non riuscita: {error}</translation>
    </message>
    <message>
        <source>Exported {rows} rows to {path}</source>
        <translation>Esportate {rows} righe in {path}</translation>
    </message>
    <message>
        <source>Choose pens</source>
        <translation>Scegli le penne</translation>
    </message>
    <message>
        <source>Search a tag name or description</source>
        <translation>Cerca un nome di tag o una descrizione</translation>
    </message>
    <message>
        <source>Tag</source>
        <translation>Tag</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Descrizione</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>Unità</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annulla</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Mostra</translation>
    </message>
    <message>
        <source>Other tags</source>
        <translation>Altri tag</translation>
    </message>
    <message>
        <source>{n} of {most} pens chosen</source>
        <translation>{n} penne scelte su {most}</translation>
    </message>
    <message>
        <source>Save trend view</source>
        <translation>Salva la vista dell&apos;andamento</translation>
    </message>
    <message>
        <source>Name of the view</source>
        <translation>Nome della vista</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Salva</translation>
    </message>
    <message>
        <source>no history in this time range</source>
        <translation>nessuno storico in questo intervallo</translation>
    </message>
    <message>
        <source>no history recorded</source>
        <translation>nessuno storico registrato</translation>
    </message>
    <message>
        <source>history cannot be read: {error}</source>
        <translation>lo storico non si può leggere: {error}</translation>
    </message>
    <message>
        <source>no history kept</source>
        <extracomment>generation, {tag: PenData} generation, time (s), {tag: Point | None}</extracomment>
        <translation>nessuno storico conservato</translation>
    </message>
    <message>
        <source>on</source>
        <translation>acceso</translation>
    </message>
    <message>
        <source>off</source>
        <translation>spento</translation>
    </message>
    <message>
        <source>? {pen} bad</source>
        <translation>? {pen} non valida</translation>
    </message>
    <message>
        <source>(pen {n})</source>
        <translation>(penna {n})</translation>
    </message>
    <message>
        <source>Right edge</source>
        <translation>Bordo destro</translation>
    </message>
    <message>
        <source>Cursor</source>
        <translation>Cursore</translation>
    </message>
    <message>
        <source>unknown tag</source>
        <translation>tag sconosciuto</translation>
    </message>
    <message>
        <source>Now</source>
        <translation>Ora</translation>
    </message>
    <message>
        <source>no live value</source>
        <translation>nessun valore in tempo reale</translation>
    </message>
    <message>
        <source>from history</source>
        <translation>dallo storico</translation>
    </message>
    <message>
        <source>? bad at this time</source>
        <translation>? non valido in questo istante</translation>
    </message>
    <message>
        <source>1 year</source>
        <translation>1 anno</translation>
    </message>
    <message>
        <source>{n} days</source>
        <translation>{n} giorni</translation>
    </message>
    <message>
        <source>{n} h</source>
        <translation>{n} h</translation>
    </message>
    <message>
        <source>{n} min</source>
        <translation>{n} min</translation>
    </message>
    <message>
        <source>{n} s</source>
        <translation>{n} s</translation>
    </message>
    <message>
        <source>Back in time by half the span</source>
        <translation>Indietro di mezzo intervallo</translation>
    </message>
    <message>
        <source>Forward in time by half the span</source>
        <translation>Avanti di mezzo intervallo</translation>
    </message>
    <message>
        <source>Show twice the time</source>
        <translation>Mostra il doppio del tempo</translation>
    </message>
    <message>
        <source>Show half the time</source>
        <translation>Mostra metà del tempo</translation>
    </message>
    <message>
        <source>Pens</source>
        <translation>Penne</translation>
    </message>
    <message>
        <source>Save view</source>
        <translation>Salva vista</translation>
    </message>
    <message>
        <source>CSV</source>
        <translation>CSV</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>In tempo reale</translation>
    </message>
    <message>
        <source>Back to live</source>
        <translation>Torna al tempo reale</translation>
    </message>
    <message>
        <source>Views…</source>
        <translation>Viste…</translation>
    </message>
    <message>
        <source>Live: the last {span}</source>
        <translation>Tempo reale: ultimi {span}</translation>
    </message>
    <message>
        <source>Paused: drag to move in time, pinch to zoom, tap to read</source>
        <translation>In pausa: trascina per spostarti nel tempo, pizzica per zoomare, tocca per leggere</translation>
    </message>
    <message>
        <source>Paused: drag to move in time, wheel to zoom, click to read</source>
        <translation>In pausa: trascina per spostarti nel tempo, rotellina per zoomare, clic per leggere</translation>
    </message>
    <message>
        <source>View: {name}</source>
        <translation>Vista: {name}</translation>
    </message>
</context>
<context>
    <name>Writes</name>
    <message>
        <source>unknown tag &apos;{tag}&apos;</source>
        <extracomment>(tag, status &quot;done&quot; / &quot;refused&quot; / &quot;failed&quot;, message for the operator)</extracomment>
        <translation>tag sconosciuto &apos;{tag}&apos;</translation>
    </message>
    <message>
        <source>{tag} is read-only</source>
        <translation>{tag} è di sola lettura</translation>
    </message>
    <message>
        <source>&apos;{text}&apos; is not a number</source>
        <translation>&apos;{text}&apos; non è un numero</translation>
    </message>
    <message>
        <source>{value} is outside the range {lo} .. {hi} {units}</source>
        <translation>{value} è fuori dal campo {lo} .. {hi} {units}</translation>
    </message>
    <message>
        <source>writes are not available here</source>
        <extracomment>(tag, status &quot;done&quot; / &quot;refused&quot; / &quot;failed&quot;, message for the operator)</extracomment>
        <translation>qui le scritture non sono disponibili</translation>
    </message>
    <message>
        <source>could not send: {reason}</source>
        <translation>invio non riuscito: {reason}</translation>
    </message>
    <message>
        <source>written and read back</source>
        <translation>scritto e riletto</translation>
    </message>
</context>
</TS>

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
        <source>FIRST OUT</source>
        <translation>PRIMA CAUSA</translation>
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
        <source>Replay from here</source>
        <translation>Rivedi da qui</translation>
    </message>
    <message>
        <source>Replay the screen of this alarm from a minute before it</source>
        <translation>Rivedi la pagina di questo allarme da un minuto prima</translation>
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
        <source>since {time}</source>
        <translation>dalle {time}</translation>
    </message>
    <message>
        <source>shelved by {user} until {time}: {reason}</source>
        <translation>accantonato da {user} fino alle {time}: {reason}</translation>
    </message>
    <message>
        <source>out of service by {user}: {reason}</source>
        <translation>fuori servizio da {user}: {reason}</translation>
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
        <source>Select one alarm to see its cause and what to do.</source>
        <translation>Selezionare un allarme per vederne la causa e cosa fare.</translation>
    </message>
    <message>
        <source>{k} alarms selected.</source>
        <translation>{k} allarmi selezionati.</translation>
    </message>
    <message>
        <source>Cause</source>
        <translation>Causa</translation>
    </message>
    <message>
        <source>Consequence</source>
        <translation>Conseguenza</translation>
    </message>
    <message>
        <source>Corrective action</source>
        <translation>Azione correttiva</translation>
    </message>
    <message>
        <source>No help is written for this alarm.</source>
        <translation>Per questo allarme non è scritto alcun aiuto.</translation>
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
    <name>Audit</name>
    <message>
        <source>From</source>
        <translation>Da</translation>
    </message>
    <message>
        <source>To</source>
        <translation>A</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Utente</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Azione</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Testo</translation>
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
        <source>Verify chain</source>
        <translation>Verifica catena</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>N.</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Ora</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Oggetto</translation>
    </message>
    <message>
        <source>Station</source>
        <translation>Postazione</translation>
    </message>
    <message>
        <source>Reason and details</source>
        <translation>Motivo e dettagli</translation>
    </message>
    <message>
        <source>{n} record(s)</source>
        <translation>{n} record</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>Esporta CSV</translation>
    </message>
    <message>
        <source>Cannot write {path}: {reason}</source>
        <translation>Impossibile scrivere {path}: {reason}</translation>
    </message>
    <message>
        <source>{n} record(s) written to {path}</source>
        <translation>{n} record scritti in {path}</translation>
    </message>
    <message>
        <source>Chain intact: {n} record(s) checked</source>
        <translation>Catena integra: {n} record verificati</translation>
    </message>
    <message>
        <source>Chain broken at record {seq}: {problem}</source>
        <translation>Catena interrotta al record {seq}: {problem}</translation>
    </message>
    <message>
        <source>Audit trail</source>
        <translation>Registro di audit</translation>
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
        <source>On</source>
        <translation>Acceso</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Spento</translation>
    </message>
    <message>
        <source>{name}: {old} → {new}?</source>
        <translation>{name}: {old} → {new}?</translation>
    </message>
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
        <translation type="vanished">{name} {value} (priorità {priority})</translation>
    </message>
    <message>
        <source>Alarm limits: {limits}</source>
        <translation type="vanished">Limiti di allarme: {limits}</translation>
    </message>
    <message>
        <source>very high</source>
        <translation>molto alto</translation>
    </message>
    <message>
        <source>high</source>
        <translation>alto</translation>
    </message>
    <message>
        <source>low</source>
        <translation>basso</translation>
    </message>
    <message>
        <source>very low</source>
        <translation>molto basso</translation>
    </message>
    <message>
        <source>above setpoint</source>
        <translation>sopra il setpoint</translation>
    </message>
    <message>
        <source>below setpoint</source>
        <translation>sotto il setpoint</translation>
    </message>
    <message>
        <source>rising too fast</source>
        <translation>sale troppo in fretta</translation>
    </message>
    <message>
        <source>falling too fast</source>
        <translation>scende troppo in fretta</translation>
    </message>
    <message>
        <source>signal lost</source>
        <translation>segnale perso</translation>
    </message>
    <message>
        <source>communication lost</source>
        <translation>comunicazione persa</translation>
    </message>
    <message>
        <source>abnormal state</source>
        <translation>stato anomalo</translation>
    </message>
    <message>
        <source>{limit} · priority {priority}</source>
        <translation>{limit} · priorità {priority}</translation>
    </message>
    <message>
        <source>ACTIVE</source>
        <translation>ATTIVO</translation>
    </message>
    <message>
        <source>Cause</source>
        <translation>Causa</translation>
    </message>
    <message>
        <source>Consequence</source>
        <translation>Conseguenza</translation>
    </message>
    <message>
        <source>Corrective action</source>
        <translation>Azione correttiva</translation>
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
    <name>Fleet</name>
    <message>
        <source>Only abnormal ({n})</source>
        <translation>Solo anomalie ({n})</translation>
    </message>
    <message>
        <source>simulated lines</source>
        <translation>linee simulate</translation>
    </message>
    <message>
        <source>{source} and this station</source>
        <translation>{source} e questa postazione</translation>
    </message>
    <message>
        <source>Source: {source}</source>
        <translation>Fonte: {source}</translation>
    </message>
    <message>
        <source>No news from the broker: {problem}</source>
        <translation>Nessuna notizia dal broker: {problem}</translation>
    </message>
    <message>
        <source>{n} lines</source>
        <translation>{n} linee</translation>
    </message>
    <message>
        <source>{n} running</source>
        <translation>{n} in marcia</translation>
    </message>
    <message>
        <source>{n} stopped</source>
        <translation>{n} ferme</translation>
    </message>
    <message>
        <source>{n} offline</source>
        <translation>{n} fuori linea</translation>
    </message>
    <message>
        <source>{n} in alarm</source>
        <translation>{n} in allarme</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Chiudi</translation>
    </message>
    <message>
        <source>(what follows is as last heard)</source>
        <translation>(quanto segue è l&apos;ultimo dato ricevuto)</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>Linea</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Stato</translation>
    </message>
    <message>
        <source>Unreadable</source>
        <translation>Illeggibile</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Ordine</translation>
    </message>
    <message>
        <source>Produced</source>
        <translation>Prodotto</translation>
    </message>
    <message>
        <source>{good} good, {scrap} scrap of {target} ({progress})</source>
        <translation>{good} buoni, {scrap} scarti su {target} ({progress})</translation>
    </message>
    <message>
        <source>OEE</source>
        <translation>OEE</translation>
    </message>
    <message>
        <source>(unacknowledged)</source>
        <translation>(non riconosciuto)</translation>
    </message>
    <message>
        <source>Alarms</source>
        <translation>Allarmi</translation>
    </message>
    <message>
        <source>none active</source>
        <translation>nessuno attivo</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>Dispositivi</translation>
    </message>
    <message>
        <source>MES backlog</source>
        <translation>Arretrato MES</translation>
    </message>
    <message>
        <source>Station</source>
        <translation>Postazione</translation>
    </message>
    <message>
        <source>Last heard</source>
        <translation>Ultimo dato</translation>
    </message>
    <message>
        <source>Plant</source>
        <translation>Stabilimento</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>In marcia</translation>
    </message>
    <message>
        <source>STOPPED</source>
        <translation>FERMA</translation>
    </message>
    <message>
        <source>No order</source>
        <translation>Nessun ordine</translation>
    </message>
    <message>
        <source>OFFLINE</source>
        <translation>FUORI LINEA</translation>
    </message>
    <message>
        <source>UNKNOWN</source>
        <translation>SCONOSCIUTO</translation>
    </message>
    <message>
        <source>the station says it is offline</source>
        <translation>la postazione si dichiara fuori linea</translation>
    </message>
    <message>
        <source>no health published</source>
        <translation>nessuno stato di salute pubblicato</translation>
    </message>
    <message>
        <source>nothing heard for {rest}</source>
        <translation>nessun dato da {rest}</translation>
    </message>
    <message>
        <source>station {rest}</source>
        <translation>postazione {rest}</translation>
    </message>
    <message>
        <source>order {rest}</source>
        <translation>ordine {rest}</translation>
    </message>
    <message>
        <source>last health {rest}</source>
        <translation>ultimo stato di salute {rest}</translation>
    </message>
    <message>
        <source>no news from the broker: {rest}</source>
        <translation>nessuna notizia dal broker: {rest}</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>fuori linea</translation>
    </message>
    <message>
        <source>held</source>
        <translation>sospeso</translation>
    </message>
    <message>
        <source>never</source>
        <translation>mai</translation>
    </message>
    <message>
        <source>{n} s ago</source>
        <translation>{n} s fa</translation>
    </message>
    <message>
        <source>{n} min ago</source>
        <translation>{n} min fa</translation>
    </message>
    <message>
        <source>{n} h ago</source>
        <translation>{n} h fa</translation>
    </message>
    <message>
        <source>Good {n}</source>
        <translation>Buoni {n}</translation>
    </message>
    <message>
        <source>Scrap {n}</source>
        <translation>Scarti {n}</translation>
    </message>
    <message>
        <source>OEE {n}</source>
        <translation>OEE {n}</translation>
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
    <name>Kiosk</name>
    <message>
        <source>Restarts: {count}</source>
        <translation>Riavvii: {count}</translation>
    </message>
    <message>
        <source>Times the kiosk service restarted Linea HMI this session</source>
        <translation>Volte in cui il servizio chiosco ha riavviato Linea HMI in questa sessione</translation>
    </message>
</context>
<context>
    <name>Mes</name>
    <message>
        <source>MES sync</source>
        <translation>Sincronizzazione MES</translation>
    </message>
    <message>
        <source>{reason} (needs the permission {permission})</source>
        <extracomment>what a refresh brings: the chosen target, every target&apos;s figures, its refused events (None: as shown) and the released orders refused (None: no order source)</extracomment>
        <translation>{reason} (serve il permesso {permission})</translation>
    </message>
    <message>
        <source>The reason is kept in the audit trail</source>
        <translation>Il motivo resta nel registro delle azioni</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Scarta</translation>
    </message>
    <message>
        <source>Say why they are discarded, in a few words</source>
        <translation>Scrivi in poche parole perché li scarti</translation>
    </message>
    <message>
        <source>Waiting to be sent</source>
        <translation>In attesa di invio</translation>
    </message>
    <message>
        <source>Oldest unsent event</source>
        <translation>Evento non inviato più vecchio</translation>
    </message>
    <message>
        <source>Last taken</source>
        <translation>Ultimo accettato</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Ultimo errore</translation>
    </message>
    <message>
        <source>{state} for {since}</source>
        <translation>{state} da {since}</translation>
    </message>
    <message>
        <source>{n} events</source>
        <translation>{n} eventi</translation>
    </message>
    <message>
        <source>{age} old</source>
        <translation>{age} fa</translation>
    </message>
    <message>
        <source>none waiting</source>
        <translation>nessuno in attesa</translation>
    </message>
    <message>
        <source>{time} ({age} ago)</source>
        <translation>{time} ({age} fa)</translation>
    </message>
    <message>
        <source>none</source>
        <translation>nessuno</translation>
    </message>
    <message>
        <source>Events refused: {n}</source>
        <translation>Eventi rifiutati: {n}</translation>
    </message>
    <message>
        <source>Orders refused: {n}</source>
        <translation>Ordini rifiutati: {n}</translation>
    </message>
    <message>
        <source>{line} (no order)</source>
        <translation>{line} (senza ordine)</translation>
    </message>
    <message>
        <source>No refused events</source>
        <translation>Nessun evento rifiutato</translation>
    </message>
    <message>
        <source>Touch the events first</source>
        <translation>Tocca prima gli eventi</translation>
    </message>
    <message>
        <source>Send the refused events to {target} again: {n}</source>
        <translation>Rinvia a {target} gli eventi rifiutati: {n}</translation>
    </message>
    <message>
        <source>{target} took {accepted}; {refused} refused again</source>
        <translation>{target} ne ha accettati {accepted}; rifiutati di nuovo: {refused}</translation>
    </message>
    <message>
        <source>Sending to {target}…</source>
        <translation>Invio a {target}…</translation>
    </message>
    <message>
        <source>Discard the refused events selected: {n}?</source>
        <translation>Scartare gli eventi rifiutati selezionati: {n}?</translation>
    </message>
    <message>
        <source>{target} will never get them. Export them first if the MES needs them.</source>
        <translation>{target} non li riceverà mai. Esportali prima, se servono al MES.</translation>
    </message>
    <message>
        <source>Discard events {target} refused ({n}): {reason}</source>
        <translation>Scarta eventi rifiutati da {target} ({n}): {reason}</translation>
    </message>
    <message>
        <source>Events discarded: {n}</source>
        <translation>Eventi scartati: {n}</translation>
    </message>
    <message>
        <source>Export the refused events</source>
        <translation>Esporta gli eventi rifiutati</translation>
    </message>
    <message>
        <source>JSON lines (*.jsonl)</source>
        <translation>Righe JSON (*.jsonl)</translation>
    </message>
    <message>
        <source>Export the events refused by {target} to {path}</source>
        <translation>Esporta gli eventi rifiutati da {target} in {path}</translation>
    </message>
    <message>
        <source>Events written to {path}: {n}</source>
        <translation>Eventi scritti in {path}: {n}</translation>
    </message>
    <message>
        <source>No MES targets</source>
        <translation>Nessuna destinazione MES</translation>
    </message>
    <message>
        <source>Reading the events {target} refused…</source>
        <translation>Lettura degli eventi rifiutati da {target}…</translation>
    </message>
    <message>
        <source>{target} refused no events</source>
        <translation>{target} non ha rifiutato eventi</translation>
    </message>
    <message>
        <source>Events {target} refused: {n}, the oldest {shown} listed. None lost.</source>
        <translation>Eventi rifiutati da {target}: {n}, elencati i {shown} più vecchi. Nessuno perso.</translation>
    </message>
    <message>
        <source>Events {target} refused: {n}. They wait here, none lost.</source>
        <translation>Eventi rifiutati da {target}: {n}. Restano qui, nessuno perso.</translation>
    </message>
    <message>
        <source>Send selected again</source>
        <translation>Rinvia i selezionati</translation>
    </message>
    <message>
        <source>Send all again</source>
        <translation>Rinvia tutti</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Esporta…</translation>
    </message>
    <message>
        <source>Discard selected…</source>
        <translation>Scarta i selezionati…</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Ora</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Ordine</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Evento</translation>
    </message>
    <message>
        <source>Why refused</source>
        <translation>Motivo del rifiuto</translation>
    </message>
    <message>
        <source>Tries</source>
        <translation>Tentativi</translation>
    </message>
    <message>
        <source>{s} s</source>
        <translation>{s} s</translation>
    </message>
    <message>
        <source>{m} min</source>
        <translation>{m} min</translation>
    </message>
    <message>
        <source>{h} h {m:02d} min</source>
        <translation>{h} h {m:02d} min</translation>
    </message>
    <message>
        <source>{d} d {h} h</source>
        <translation>{d} g {h} h</translation>
    </message>
    <message>
        <source>never</source>
        <translation>mai</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>In invio</translation>
    </message>
    <message>
        <source>Retrying</source>
        <translation>Nuovo tentativo</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Fuori linea</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Disattivata</translation>
    </message>
    <message>
        <source>order state</source>
        <translation>stato ordine</translation>
    </message>
    <message>
        <source>count</source>
        <translation>conteggio</translation>
    </message>
    <message>
        <source>scrap</source>
        <translation>scarto</translation>
    </message>
    <message>
        <source>stop began</source>
        <translation>inizio fermata</translation>
    </message>
    <message>
        <source>stop ended</source>
        <translation>fine fermata</translation>
    </message>
    <message>
        <source>stop reason</source>
        <translation>causa fermata</translation>
    </message>
    <message>
        <source>stop split</source>
        <translation>fermata divisa</translation>
    </message>
    <message>
        <source>stops merged</source>
        <translation>fermate unite</translation>
    </message>
    <message>
        <source>count correction</source>
        <translation>correzione conteggio</translation>
    </message>
    <message>
        <source>shift end</source>
        <translation>fine turno</translation>
    </message>
    <message>
        <source>MES off</source>
        <translation>MES disattivato</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>offline</translation>
    </message>
    <message>
        <source>{n} refused</source>
        <translation>{n} rifiutati</translation>
    </message>
    <message>
        <source>{n} waiting</source>
        <translation>{n} in coda</translation>
    </message>
    <message>
        <source>MES ok</source>
        <translation>MES ok</translation>
    </message>
    <message>
        <source>{who} offline {since}</source>
        <translation>{who} offline da {since}</translation>
    </message>
    <message>
        <source>{n} events waiting, none lost</source>
        <translation>{n} eventi in attesa, nessuno perso</translation>
    </message>
    <message>
        <source>MES: {n} waiting</source>
        <translation>MES: {n} in attesa</translation>
    </message>
    <message>
        <source>MES: {n} events refused</source>
        <translation>MES: {n} eventi rifiutati</translation>
    </message>
    <message>
        <source>not taken</source>
        <translation>non accettato</translation>
    </message>
    <message>
        <source>change not applied</source>
        <translation>modifica non applicata</translation>
    </message>
    <message>
        <source>withdrawal not applied</source>
        <translation>ritiro non applicato</translation>
    </message>
    <message>
        <source>(no ID)</source>
        <translation>(senza ID)</translation>
    </message>
    <message>
        <source>Reading the orders refused…</source>
        <translation>Lettura degli ordini rifiutati…</translation>
    </message>
    <message>
        <source>Every order {source} released was taken</source>
        <translation>Ogni ordine rilasciato da {source} è stato accettato</translation>
    </message>
    <message>
        <source>Orders from {source} refused: {n}. {source} was told why.</source>
        <translation>Ordini di {source} rifiutati: {n}. A {source} è stato detto perché.</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>Linea</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Cosa</translation>
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
        <source>More</source>
        <translation>Altro</translation>
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
        <translation type="vanished">Invia {value} a {tag}.</translation>
    </message>
    <message>
        <source>Set {name} to {value} {units}?</source>
        <translation type="vanished">Impostare {name} a {value} {units}?</translation>
    </message>
    <message>
        <source>Now: {now}. Tag: {tag}.</source>
        <translation type="vanished">Attuale: {now}. Tag: {tag}.</translation>
    </message>
    <message>
        <source>{name} cannot be changed now: {reason}</source>
        <translation>{name} non si può cambiare ora: {reason}</translation>
    </message>
    <message>
        <source>{name} → {value}: sending …</source>
        <translation>{name} → {value}: invio in corso …</translation>
    </message>
</context>
<context>
    <name>Orders</name>
    <message>
        <source>{n} pcs of scrap recorded on order {number}</source>
        <translation>{n} pz di scarto registrati sull&apos;ordine {number}</translation>
    </message>
    <message>
        <source>{reason} (needs the permission {permission})</source>
        <translation>{reason} (serve il permesso {permission})</translation>
    </message>
    <message>
        <source>{n} /h</source>
        <translation>{n} /h</translation>
    </message>
    <message>
        <source>{s} s</source>
        <translation>{s} s</translation>
    </message>
    <message>
        <source>{m} min</source>
        <translation>{m} min</translation>
    </message>
    <message>
        <source>{h} h {m:02d} min</source>
        <translation>{h} h {m:02d} min</translation>
    </message>
    <message>
        <source>Die {die}</source>
        <translation>Matrice {die}</translation>
    </message>
    <message>
        <source>{n} not inspected</source>
        <translation>{n} senza ispezione</translation>
    </message>
    <message>
        <source>Released</source>
        <translation>Rilasciato</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>In corso</translation>
    </message>
    <message>
        <source>Held</source>
        <translation>Sospeso</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Completato</translation>
    </message>
    <message>
        <source>Aborted</source>
        <translation>Annullato</translation>
    </message>
    <message>
        <source>&apos;{text}&apos; is not a whole number of pieces</source>
        <translation>«{text}» non è un numero intero di pezzi</translation>
    </message>
    <message>
        <source>Enter more than 0 pieces</source>
        <translation>Inserire più di 0 pezzi</translation>
    </message>
    <message>
        <source>{value} is more than this order could have: at most {limit}</source>
        <translation>{value} è più di quanto possa avere questo ordine: al massimo {limit}</translation>
    </message>
    <message>
        <source>created</source>
        <translation>creato</translation>
    </message>
    <message>
        <source>imported</source>
        <translation>importato</translation>
    </message>
    <message>
        <source>started</source>
        <translation>avviato</translation>
    </message>
    <message>
        <source>moved in the queue</source>
        <translation>spostato nella coda</translation>
    </message>
    <message>
        <source>downloaded</source>
        <translation>scaricato</translation>
    </message>
    <message>
        <source>revised</source>
        <translation>modificato</translation>
    </message>
    <message>
        <source>withdrawn</source>
        <translation>ritirato</translation>
    </message>
    <message>
        <source>The reason is kept with the order</source>
        <translation>Il motivo resta registrato con l&apos;ordine</translation>
    </message>
    <message>
        <source>Say why, in a few words</source>
        <translation>Dire il motivo, in poche parole</translation>
    </message>
    <message>
        <source>Scrap of order {number}</source>
        <translation>Scarto dell&apos;ordine {number}</translation>
    </message>
    <message>
        <source>Choose the reason, then enter the pieces (1 .. {limit})</source>
        <translation>Scegliere il motivo, poi inserire i pezzi (1 .. {limit})</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>Registra</translation>
    </message>
    <message>
        <source>Choose the reason of the scrap first</source>
        <translation>Scegliere prima il motivo dello scarto</translation>
    </message>
    <message>
        <source>Good</source>
        <translation>Buoni</translation>
    </message>
    <message>
        <source>Scrap</source>
        <translation>Scarto</translation>
    </message>
    <message>
        <source>Correct the count of order {number}</source>
        <translation>Correggere il conteggio dell&apos;ordine {number}</translation>
    </message>
    <message>
        <source>{what} counted: {n} pcs</source>
        <translation>{what} contati: {n} pz</translation>
    </message>
    <message>
        <source>The pieces there really are; the count stays beside it</source>
        <translation>I pezzi che ci sono davvero; il conteggio resta accanto</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>Avanti</translation>
    </message>
    <message>
        <source>Enter 0 .. {limit} pieces</source>
        <translation>Inserire 0 .. {limit} pezzi</translation>
    </message>
    <message>
        <source>Not while the order is {state}</source>
        <translation>Non mentre l&apos;ordine è {state}</translation>
    </message>
    <message>
        <source>Order {number} · {line}</source>
        <translation>Ordine {number} · {line}</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Prodotto</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Stato</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Obiettivo</translation>
    </message>
    <message>
        <source>{n} pcs</source>
        <translation>{n} pz</translation>
    </message>
    <message>
        <source>Remaining</source>
        <translation>Mancanti</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Avviato</translation>
    </message>
    <message>
        <source>{when} {action} by {user}{why}</source>
        <translation>{when} {action} da {user}{why}</translation>
    </message>
    <message>
        <source>Hold</source>
        <translation>Sospendi</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Riprendi</translation>
    </message>
    <message>
        <source>Complete</source>
        <translation>Completa</translation>
    </message>
    <message>
        <source>Abort</source>
        <translation>Annulla ordine</translation>
    </message>
    <message>
        <source>Record scrap</source>
        <translation>Registra scarto</translation>
    </message>
    <message>
        <source>Counts are right</source>
        <translation>Conteggi giusti</translation>
    </message>
    <message>
        <source>Correct good</source>
        <translation>Correggi buoni</translation>
    </message>
    <message>
        <source>Correct scrap</source>
        <translation>Correggi scarto</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Chiudi</translation>
    </message>
    <message>
        <source>{text} (counted {before}; {user}: {reason})</source>
        <translation>{text} (contati {before}; {user}: {reason})</translation>
    </message>
    <message>
        <source>Billets</source>
        <translation>Billette</translation>
    </message>
    <message>
        <source>Gross</source>
        <translation>Lordo</translation>
    </message>
    <message>
        <source>Scrap weight</source>
        <translation>Peso scarto</translation>
    </message>
    <message>
        <source>Net</source>
        <translation>Netto</translation>
    </message>
    <message>
        <source>Remaining weight</source>
        <translation>Peso mancante</translation>
    </message>
    <message>
        <source>Billets to go</source>
        <translation>Billette mancanti</translation>
    </message>
    <message>
        <source>resumed</source>
        <translation>ripreso</translation>
    </message>
    <message>
        <source>Why hold order {number}?</source>
        <translation>Perché sospendere l&apos;ordine {number}?</translation>
    </message>
    <message>
        <source>held</source>
        <translation>sospeso</translation>
    </message>
    <message>
        <source>Why abort order {number}?</source>
        <translation>Perché annullare l&apos;ordine {number}?</translation>
    </message>
    <message>
        <source>aborted</source>
        <translation>annullato</translation>
    </message>
    <message>
        <source>counts confirmed</source>
        <translation>conteggi confermati</translation>
    </message>
    <message>
        <source>Order {number}: {what}</source>
        <translation>Ordine {number}: {what}</translation>
    </message>
    <message>
        <source>completed</source>
        <translation>completato</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>Telecamera</translation>
    </message>
    <message>
        <source>Complete order {number} short of its target?</source>
        <translation>Completare l&apos;ordine {number} prima dell&apos;obiettivo?</translation>
    </message>
    <message>
        <source>{good} of {target} pcs made; {left} pcs will not be made</source>
        <translation>{good} di {target} pz prodotti; {left} pz non saranno prodotti</translation>
    </message>
    <message>
        <source>Why is the count wrong?</source>
        <translation>Perché il conteggio è sbagliato?</translation>
    </message>
    <message>
        <source>{before} → {after} pcs</source>
        <translation>{before} → {after} pz</translation>
    </message>
    <message>
        <source>Correct</source>
        <translation>Correggi</translation>
    </message>
    <message>
        <source>count corrected</source>
        <translation>conteggio corretto</translation>
    </message>
    <message>
        <source>running</source>
        <translation>in marcia</translation>
    </message>
    <message>
        <source>idle</source>
        <translation>ferma</translation>
    </message>
    <message>
        <source>fault</source>
        <translation>guasto</translation>
    </message>
    <message>
        <source>changeover</source>
        <translation>cambio</translation>
    </message>
    <message>
        <source>starved</source>
        <translation>senza materiale</translation>
    </message>
    <message>
        <source>blocked</source>
        <translation>bloccata a valle</translation>
    </message>
    <message>
        <source>no data</source>
        <translation>nessun dato</translation>
    </message>
    <message>
        <source>Planned</source>
        <translation>Pianificate</translation>
    </message>
    <message>
        <source>Unplanned</source>
        <translation>Non pianificate</translation>
    </message>
    <message>
        <source>Stops</source>
        <translation>Fermate</translation>
    </message>
    <message>
        <source>Stops: {n}</source>
        <translation>Fermate: {n}</translation>
    </message>
    <message>
        <source>{n} stops without reason</source>
        <translation>{n} fermate senza motivo</translation>
    </message>
    <message>
        <source>No stops in this period</source>
        <translation>Nessuna fermata in questo periodo</translation>
    </message>
    <message>
        <source>— no reason yet</source>
        <translation>— ancora senza motivo</translation>
    </message>
    <message>
        <source>{state} {length}</source>
        <translation>{state} {length}</translation>
    </message>
    <message>
        <source>{line} · since {start} · {why}</source>
        <translation>{line} · dalle {start} · {why}</translation>
    </message>
    <message>
        <source>still stopped · {rest}</source>
        <translation>ancora ferma · {rest}</translation>
    </message>
    <message>
        <source> (still stopped)</source>
        <translation type="vanished"> (ancora ferma)</translation>
    </message>
    <message>
        <source>{start}  {length}{still}  {line}  {state}  {why}</source>
        <translation type="vanished">{start}  {length}{still}  {line}  {state}  {why}</translation>
    </message>
    <message>
        <source>No neighbouring stop on this line</source>
        <translation>Nessuna fermata vicina su questa linea</translation>
    </message>
    <message>
        <source>Reason given: {reason}</source>
        <translation>Motivo assegnato: {reason}</translation>
    </message>
    <message>
        <source>Stop split at {at}</source>
        <translation>Fermata divisa alle {at}</translation>
    </message>
    <message>
        <source>Merge these two stops into one?</source>
        <translation>Unire queste due fermate in una?</translation>
    </message>
    <message>
        <source>Merge</source>
        <translation>Unisci</translation>
    </message>
    <message>
        <source>Stops merged</source>
        <translation>Fermate unite</translation>
    </message>
    <message>
        <source>Stops and their reasons</source>
        <translation>Fermate e motivi</translation>
    </message>
    <message>
        <source>All lines</source>
        <translation>Tutte le linee</translation>
    </message>
    <message>
        <source>◀ Earlier shift</source>
        <translation>◀ Turno precedente</translation>
    </message>
    <message>
        <source>This shift</source>
        <translation>Questo turno</translation>
    </message>
    <message>
        <source>From {since} until now</source>
        <translation>Dalle {since} a adesso</translation>
    </message>
    <message>
        <source>From {since} to {until}</source>
        <translation>Dalle {since} alle {until}</translation>
    </message>
    <message>
        <source>now</source>
        <translation type="vanished">ora</translation>
    </message>
    <message>
        <source>◀ Stops</source>
        <translation>◀ Fermate</translation>
    </message>
    <message>
        <source>◀ Categories</source>
        <translation>◀ Categorie</translation>
    </message>
    <message>
        <source>Split in two…</source>
        <translation>Dividi in due…</translation>
    </message>
    <message>
        <source>Merge with previous</source>
        <translation>Unisci alla precedente</translation>
    </message>
    <message>
        <source>Merge with next</source>
        <translation>Unisci alla successiva</translation>
    </message>
    <message>
        <source>Split the stop at</source>
        <translation>Dividere la fermata alle</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annulla</translation>
    </message>
    <message>
        <source>Split</source>
        <translation>Dividi</translation>
    </message>
    <message>
        <source>{at} · {first} + {second}</source>
        <translation>{at} · {first} + {second}</translation>
    </message>
    <message>
        <source>No order is waiting in this line&apos;s queue</source>
        <translation>Nessun ordine in attesa nella coda di questa linea</translation>
    </message>
    <message>
        <source>HELD</source>
        <translation>SOSPESO</translation>
    </message>
    <message>
        <source>Start next</source>
        <translation>Avvia il prossimo</translation>
    </message>
    <message>
        <source>Order ▸</source>
        <translation>Ordine ▸</translation>
    </message>
    <message>
        <source>No order running</source>
        <translation>Nessun ordine in corso</translation>
    </message>
    <message>
        <source>Next: {number} · {product}</source>
        <translation>Prossimo: {number} · {product}</translation>
    </message>
    <message>
        <source>The queue is empty</source>
        <translation>La coda è vuota</translation>
    </message>
    <message>
        <source>{good} / {target} pcs</source>
        <translation>{good} / {target} pz</translation>
    </message>
    <message>
        <source>Rate</source>
        <translation>Ritmo</translation>
    </message>
    <message>
        <source>Done at</source>
        <translation>Fine alle</translation>
    </message>
    <message>
        <source>OEE</source>
        <translation>OEE</translation>
    </message>
    <message>
        <source>Start order {number} on {line}?</source>
        <translation>Avviare l&apos;ordine {number} su {line}?</translation>
    </message>
    <message>
        <source>{product} · target {target} pcs</source>
        <translation>{product} · obiettivo {target} pz</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Avvia</translation>
    </message>
    <message>
        <source>Order {number} started</source>
        <translation>Ordine {number} avviato</translation>
    </message>
    <message>
        <source>Breakdowns</source>
        <translation>Guasti</translation>
    </message>
    <message>
        <source>Setup and adjustments</source>
        <translation>Attrezzaggi e regolazioni</translation>
    </message>
    <message>
        <source>Small stops</source>
        <translation>Microfermate</translation>
    </message>
    <message>
        <source>Reduced speed</source>
        <translation>Velocità ridotta</translation>
    </message>
    <message>
        <source>Start-up rejects</source>
        <translation>Scarti di avviamento</translation>
    </message>
    <message>
        <source>Production rejects</source>
        <translation>Scarti di produzione</translation>
    </message>
    <message>
        <source>Die number</source>
        <translation>Numero matrice</translation>
    </message>
    <message>
        <source>Alloy</source>
        <translation>Lega</translation>
    </message>
    <message>
        <source>Billet length (mm)</source>
        <translation>Lunghezza billetta (mm)</translation>
    </message>
    <message>
        <source>Billet weight (kg)</source>
        <translation>Peso billetta (kg)</translation>
    </message>
    <message>
        <source>Profile weight (g/m)</source>
        <translation>Peso profilo (g/m)</translation>
    </message>
    <message>
        <source>Profile length (m)</source>
        <translation>Lunghezza profilo (m)</translation>
    </message>
    <message>
        <source>Bottle size (l)</source>
        <translation>Formato bottiglia (l)</translation>
    </message>
    <message>
        <source>No losses recorded in this shift</source>
        <translation>Nessuna perdita registrata in questo turno</translation>
    </message>
    <message>
        <source>Order {number} · {product} · {good} / {target} pcs</source>
        <translation>Ordine {number} · {product} · {good} / {target} pz</translation>
    </message>
    <message>
        <source>Availability</source>
        <translation>Disponibilità</translation>
    </message>
    <message>
        <source>Effectiveness</source>
        <translation>Efficienza</translation>
    </message>
    <message>
        <source>Quality</source>
        <translation>Qualità</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Ordine</translation>
    </message>
    <message>
        <source>Shift</source>
        <translation>Turno</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>Giorno</translation>
    </message>
    <message>
        <source>No reason yet</source>
        <translation>Ancora senza motivo</translation>
    </message>
    <message>
        <source>Losses this shift, all lines</source>
        <translation>Perdite del turno, tutte le linee</translation>
    </message>
    <message>
        <source>Downtime by reason this shift, all lines</source>
        <translation>Fermate per motivo nel turno, tutte le linee</translation>
    </message>
    <message>
        <source>Choose an order in the queue first</source>
        <translation>Scegliere prima un ordine nella coda</translation>
    </message>
    <message>
        <source>The order is already at that end of the queue</source>
        <translation>L&apos;ordine è già a quel capo della coda</translation>
    </message>
    <message>
        <source>Order {number} added to the queue</source>
        <translation>Ordine {number} aggiunto alla coda</translation>
    </message>
    <message>
        <source>Import orders</source>
        <translation>Importa ordini</translation>
    </message>
    <message>
        <source>{n} order(s) imported</source>
        <translation>{n} ordini importati</translation>
    </message>
    <message>
        <source>; {n} refused: {first}</source>
        <translation>; {n} rifiutati: {first}</translation>
    </message>
    <message>
        <source>The shift report cannot be written on this station</source>
        <translation>Il rapporto di turno non si può scrivere su questa postazione</translation>
    </message>
    <message>
        <source>No shift is running now: there is nothing to report</source>
        <translation>Nessun turno in corso: non c&apos;è nulla da riportare</translation>
    </message>
    <message>
        <source>Shift report written to {path}</source>
        <translation>Rapporto di turno scritto in {path}</translation>
    </message>
    <message>
        <source>Order queue</source>
        <translation>Coda ordini</translation>
    </message>
    <message>
        <source>▲ Earlier</source>
        <translation>▲ Prima</translation>
    </message>
    <message>
        <source>▼ Later</source>
        <translation>▼ Dopo</translation>
    </message>
    <message>
        <source>New order…</source>
        <translation>Nuovo ordine…</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>Importa…</translation>
    </message>
    <message>
        <source>Shift report</source>
        <translation>Rapporto di turno</translation>
    </message>
    <message>
        <source>New order for {line}</source>
        <translation>Nuovo ordine per {line}</translation>
    </message>
    <message>
        <source>Order number</source>
        <translation>Numero ordine</translation>
    </message>
    <message>
        <source>Target (pcs)</source>
        <translation>Obiettivo (pz)</translation>
    </message>
    <message>
        <source>Add to the queue</source>
        <translation>Aggiungi alla coda</translation>
    </message>
    <message>
        <source>The target must be a whole number of pieces</source>
        <translation>L&apos;obiettivo deve essere un numero intero di pezzi</translation>
    </message>
</context>
<context>
    <name>Pages</name>
    <message>
        <source>Page {page} of {pages}</source>
        <translation type="obsolete">Pagina {page} di {pages}</translation>
    </message>
</context>
<context>
    <name>Panel</name>
    <message>
        <source>There is no screen named &apos;{name}&apos;</source>
        <extracomment>(key, what it does given the screen panel, its symbol and translated word)</extracomment>
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
    <message>
        <source>Dismiss</source>
        <translation>Chiudi</translation>
    </message>
</context>
<context>
    <name>Quality</name>
    <message>
        <source>connection refused</source>
        <translation>connessione rifiutata</translation>
    </message>
    <message>
        <source>connection refused: no OPC UA server is listening at the endpoint</source>
        <translation>connessione rifiutata: nessun server OPC UA in ascolto all&apos;endpoint</translation>
    </message>
    <message>
        <source>no answer (timed out)</source>
        <translation>nessuna risposta (tempo scaduto)</translation>
    </message>
    <message>
        <source>device is offline</source>
        <translation>dispositivo non in linea</translation>
    </message>
    <message>
        <source>not connected</source>
        <translation>non connesso</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>fermo</translation>
    </message>
    <message>
        <source>not recorded in history</source>
        <translation>non registrato nello storico</translation>
    </message>
    <message>
        <source>no value recorded before this moment</source>
        <translation>nessun valore registrato prima di questo momento</translation>
    </message>
    <message>
        <source>recorded as bad</source>
        <translation>registrato come cattivo</translation>
    </message>
    <message>
        <source>recorded as uncertain</source>
        <translation>registrato come incerto</translation>
    </message>
    <message>
        <source>result is not a finite number</source>
        <translation>il risultato non è un numero finito</translation>
    </message>
    <message>
        <source>no value received yet</source>
        <translation>nessun valore ancora ricevuto</translation>
    </message>
    <message>
        <source>Modbus exception 1: illegal function</source>
        <translation>eccezione Modbus 1: funzione non ammessa</translation>
    </message>
    <message>
        <source>Modbus exception 2: illegal data address</source>
        <translation>eccezione Modbus 2: indirizzo dati non ammesso</translation>
    </message>
    <message>
        <source>Modbus exception 3: illegal data value</source>
        <translation>eccezione Modbus 3: valore dati non ammesso</translation>
    </message>
    <message>
        <source>Modbus exception 4: server device failure</source>
        <translation>eccezione Modbus 4: guasto del dispositivo</translation>
    </message>
    <message>
        <source>Modbus exception 6: server device busy</source>
        <translation>eccezione Modbus 6: dispositivo occupato</translation>
    </message>
    <message>
        <source>Modbus exception 10: gateway path unavailable</source>
        <translation>eccezione Modbus 10: percorso del gateway non disponibile</translation>
    </message>
    <message>
        <source>Modbus exception 11: gateway target device failed to respond</source>
        <translation>eccezione Modbus 11: il dispositivo dietro il gateway non risponde</translation>
    </message>
    <message>
        <source>timeout after {seconds} s</source>
        <translation>nessuna risposta entro {seconds} s</translation>
    </message>
    <message>
        <source>no answer within {seconds} s</source>
        <translation>nessuna risposta entro {seconds} s</translation>
    </message>
    <message>
        <source>waiting for {tag}</source>
        <translation>in attesa di {tag}</translation>
    </message>
    <message>
        <source>unknown host &apos;{host}&apos;</source>
        <translation>host &apos;{host}&apos; sconosciuto</translation>
    </message>
    <message>
        <source>host name not found ({detail})</source>
        <translation>nome host non trovato ({detail})</translation>
    </message>
    <message>
        <source>device {device} offline: {reason}</source>
        <translation>dispositivo {device} non in linea: {reason}</translation>
    </message>
    <message>
        <source>connection lost: {detail}</source>
        <translation>connessione persa: {detail}</translation>
    </message>
    <message>
        <source>network error: {detail}</source>
        <translation>errore di rete: {detail}</translation>
    </message>
    <message>
        <source>{reason} (and {count} more tags)</source>
        <translation>{reason} (e altri {count} tag)</translation>
    </message>
    <message>
        <source>{tag}: {reason}</source>
        <translation>{tag}: {reason}</translation>
    </message>
</context>
<context>
    <name>Replay</name>
    <message>
        <source>REPLAY</source>
        <translation>RIPRODUZIONE</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pausa</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>Avvia</translation>
    </message>
    <message>
        <source>Back to live</source>
        <translation>Torna al tempo reale</translation>
    </message>
    <message>
        <source>the station is replaying the past: go back to live</source>
        <translation>la postazione sta riproducendo il passato: torna al tempo reale</translation>
    </message>
    <message>
        <source>Replay</source>
        <translation>Riproduci</translation>
    </message>
</context>
<context>
    <name>ReportLayout</name>
    <message>
        <source>Unassigned</source>
        <translation type="obsolete">Senza causa</translation>
    </message>
    <message>
        <source>Shift report</source>
        <translation type="obsolete">Rapporto di turno</translation>
    </message>
    <message>
        <source>No orders ran in this shift.</source>
        <translation type="obsolete">Nessun ordine in produzione in questo turno.</translation>
    </message>
    <message>
        <source>No scrap recorded.</source>
        <translation type="obsolete">Nessuno scarto registrato.</translation>
    </message>
    <message>
        <source>{count} micro-stops, {minutes} min, not in the chart</source>
        <translation type="obsolete">{count} microfermate, {minutes} min, non nel grafico</translation>
    </message>
    <message>
        <source>No stops.</source>
        <translation type="obsolete">Nessun fermo.</translation>
    </message>
    <message>
        <source>unplanned</source>
        <translation type="obsolete">non pianificato</translation>
    </message>
    <message>
        <source>planned</source>
        <translation type="obsolete">pianificato</translation>
    </message>
    <message>
        <source>Availability</source>
        <translation type="obsolete">Disponibilità</translation>
    </message>
    <message>
        <source>Effectiveness</source>
        <translation type="obsolete">Efficienza</translation>
    </message>
    <message>
        <source>Quality</source>
        <translation type="obsolete">Qualità</translation>
    </message>
    <message>
        <source>OEE</source>
        <translation type="obsolete">OEE</translation>
    </message>
    <message>
        <source>No planned busy time in this shift.</source>
        <translation type="obsolete">Nessun tempo di produzione pianificato in questo turno.</translation>
    </message>
    <message>
        <source>The six big losses</source>
        <translation type="obsolete">Le sei grandi perdite</translation>
    </message>
    <message>
        <source>No alarms.</source>
        <translation type="obsolete">Nessun allarme.</translation>
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
    <name>ShiftReport</name>
    <message>
        <source>Orders</source>
        <translation>Ordini</translation>
    </message>
    <message>
        <source>Quantities</source>
        <translation>Quantità</translation>
    </message>
    <message>
        <source>Scrap by reason</source>
        <translation>Scarti per causa</translation>
    </message>
    <message>
        <source>Downtime by reason</source>
        <translation>Fermi per causa</translation>
    </message>
    <message>
        <source>OEE and losses</source>
        <translation>OEE e perdite</translation>
    </message>
    <message>
        <source>Alarms</source>
        <translation>Allarmi</translation>
    </message>
    <message>
        <source>Shift report</source>
        <translation>Rapporto di turno</translation>
    </message>
    <message>
        <source>Plant</source>
        <translation>Stabilimento</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>Linea</translation>
    </message>
    <message>
        <source>Shift</source>
        <translation>Turno</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Da</translation>
    </message>
    <message>
        <source>To</source>
        <translation>A</translation>
    </message>
    <message>
        <source>Generated at</source>
        <translation>Generato il</translation>
    </message>
    <message>
        <source>Generated by</source>
        <translation>Generato da</translation>
    </message>
    <message>
        <source>Page {page} of {pages}</source>
        <translation>Pagina {page} di {pages}</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Ordine</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Prodotto</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Stato</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Obiettivo</translation>
    </message>
    <message>
        <source>Good</source>
        <translation>Buoni</translation>
    </message>
    <message>
        <source>Scrap</source>
        <translation>Scarti</translation>
    </message>
    <message>
        <source>OEE</source>
        <translation>OEE</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Causa</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>Quantità</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>Quota</translation>
    </message>
    <message>
        <source>Stops</source>
        <translation>Fermi</translation>
    </message>
    <message>
        <source>Not inspected</source>
        <translation>Senza ispezione</translation>
    </message>
    <message>
        <source>Minutes</source>
        <translation>Minuti</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>Perdita</translation>
    </message>
    <message>
        <source>The six big losses</source>
        <translation>Le sei grandi perdite</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Priorità</translation>
    </message>
    <message>
        <source>Alarms raised</source>
        <translation>Allarmi attivati</translation>
    </message>
    <message>
        <source>continued</source>
        <translation>continua</translation>
    </message>
    <message>
        <source>No orders ran in this shift.</source>
        <translation>Nessun ordine in produzione in questo turno.</translation>
    </message>
    <message>
        <source>No scrap recorded.</source>
        <translation>Nessuno scarto registrato.</translation>
    </message>
    <message>
        <source>No stops.</source>
        <translation>Nessun fermo.</translation>
    </message>
    <message>
        <source>No alarms.</source>
        <translation>Nessun allarme.</translation>
    </message>
    <message>
        <source>No planned busy time in this shift.</source>
        <translation>Nessun tempo di produzione pianificato in questo turno.</translation>
    </message>
    <message>
        <source>Unassigned</source>
        <translation>Senza causa</translation>
    </message>
    <message>
        <source>planned</source>
        <translation>pianificato</translation>
    </message>
    <message>
        <source>unplanned</source>
        <translation>non pianificato</translation>
    </message>
    <message>
        <source>Micro-stops</source>
        <translation>Microfermate</translation>
    </message>
    <message>
        <source>micro</source>
        <translation>microfermata</translation>
    </message>
    <message>
        <source>counted by the machine</source>
        <translation>contati dalla macchina</translation>
    </message>
    <message>
        <source>idle</source>
        <translation>inattiva</translation>
    </message>
    <message>
        <source>fault</source>
        <translation>guasto</translation>
    </message>
    <message>
        <source>changeover</source>
        <translation>cambio formato</translation>
    </message>
    <message>
        <source>starved</source>
        <translation>senza materiale</translation>
    </message>
    <message>
        <source>blocked</source>
        <translation>bloccata a valle</translation>
    </message>
    <message>
        <source>no_data</source>
        <translation>nessun dato</translation>
    </message>
    <message>
        <source>% of planned busy time</source>
        <translation>% del tempo pianificato</translation>
    </message>
    <message>
        <source>{count} micro-stops, {minutes} min, not in the chart</source>
        <translation>{count} microfermate, {minutes} min, non nel grafico</translation>
    </message>
    <message>
        <source>released</source>
        <translation>rilasciato</translation>
    </message>
    <message>
        <source>running</source>
        <translation>in produzione</translation>
    </message>
    <message>
        <source>held</source>
        <translation>sospeso</translation>
    </message>
    <message>
        <source>completed</source>
        <translation>completato</translation>
    </message>
    <message>
        <source>aborted</source>
        <translation>annullato</translation>
    </message>
    <message>
        <source>critical</source>
        <translation>critico</translation>
    </message>
    <message>
        <source>high</source>
        <translation>alto</translation>
    </message>
    <message>
        <source>medium</source>
        <translation>medio</translation>
    </message>
    <message>
        <source>low</source>
        <translation>basso</translation>
    </message>
    <message>
        <source>pcs</source>
        <translation>pz</translation>
    </message>
    <message>
        <source>min</source>
        <translation>min</translation>
    </message>
    <message>
        <source>stops</source>
        <translation>fermi</translation>
    </message>
    <message>
        <source>Produced</source>
        <translation>Prodotti</translation>
    </message>
    <message>
        <source>Scrap rate</source>
        <translation>Tasso di scarto</translation>
    </message>
    <message>
        <source>Micro-stop time</source>
        <translation>Tempo di microfermate</translation>
    </message>
    <message>
        <source>Planned busy time</source>
        <translation>Tempo di produzione pianificato</translation>
    </message>
    <message>
        <source>Actual production time</source>
        <translation>Tempo di produzione effettivo</translation>
    </message>
    <message>
        <source>Availability</source>
        <translation>Disponibilità</translation>
    </message>
    <message>
        <source>Effectiveness</source>
        <translation>Efficienza</translation>
    </message>
    <message>
        <source>Quality</source>
        <translation>Qualità</translation>
    </message>
    <message>
        <source>Fully productive time</source>
        <translation>Tempo pienamente produttivo</translation>
    </message>
    <message>
        <source>Breakdowns</source>
        <translation>Guasti</translation>
    </message>
    <message>
        <source>Setup and adjustments</source>
        <translation>Attrezzaggi e regolazioni</translation>
    </message>
    <message>
        <source>Small stops</source>
        <translation>Microfermate</translation>
    </message>
    <message>
        <source>Reduced speed</source>
        <translation>Velocità ridotta</translation>
    </message>
    <message>
        <source>Start-up rejects</source>
        <translation>Scarti di avviamento</translation>
    </message>
    <message>
        <source>Production rejects</source>
        <translation>Scarti di produzione</translation>
    </message>
</context>
<context>
    <name>StartProblem</name>
    <message>
        <source>Linea HMI cannot start</source>
        <translation>Linea HMI non può avviarsi</translation>
    </message>
    <message>
        <source>Tell the line&apos;s engineer what this says; the log file keeps it too.</source>
        <translation>Riferire questo messaggio al tecnico della linea; è anche nel file di log.</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Chiudi</translation>
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
        <source>code {value}</source>
        <translation>codice {value}</translation>
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
        <translation type="vanished">Vista &apos;{name}&apos; salvata</translation>
    </message>
    <message>
        <source>this trend has no data folder to save views in</source>
        <translation>questo andamento non ha una cartella dati in cui salvare le viste</translation>
    </message>
    <message>
        <source>nobody is signed in: sign in to keep a view of your own</source>
        <translation>nessuno ha eseguito l&apos;accesso: accedi per tenere una vista tua</translation>
    </message>
    <message>
        <source>Not saved: {reason}</source>
        <translation>Non salvata: {reason}</translation>
    </message>
    <message>
        <source>Saved the view &apos;{name}&apos; for everyone</source>
        <translation>Vista &apos;{name}&apos; salvata per tutti</translation>
    </message>
    <message>
        <source>Saved the view &apos;{name}&apos; for you</source>
        <translation>Vista &apos;{name}&apos; salvata per te</translation>
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
        <source>Who sees it</source>
        <translation>Chi la vede</translation>
    </message>
    <message>
        <source>Everyone at this station</source>
        <translation>Tutti in questa postazione</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Salva</translation>
    </message>
    <message>
        <source>Only for {user}</source>
        <translation>Solo per {user}</translation>
    </message>
    <message>
        <source>Only for me</source>
        <translation>Solo per me</translation>
    </message>
    <message>
        <source>For everyone: {reason}</source>
        <translation>Per tutti: {reason}</translation>
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
        <source>★ {name} (only for me)</source>
        <translation>★ {name} (solo per me)</translation>
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
    <message>
        <source>Trends</source>
        <translation>Trend</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Auto</translation>
    </message>
    <message>
        <source>Scale this pen to the data shown (else to its range)</source>
        <translation>Scala questa penna sui dati mostrati (altrimenti sul suo campo)</translation>
    </message>
</context>
<context>
    <name>Users</name>
    <message>
        <source>Electronic signature</source>
        <translation>Firma elettronica</translation>
    </message>
    <message>
        <source>{meaning}: your signature and a second person&apos;s</source>
        <translation>{meaning}: la tua firma e quella di una seconda persona</translation>
    </message>
    <message>
        <source>{meaning}: your signature</source>
        <translation>{meaning}: la tua firma</translation>
    </message>
    <message>
        <source>Signed by</source>
        <translation>Firmato da</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Utente</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nome</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Ruolo</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Stato</translation>
    </message>
    <message>
        <source>Last sign-in</source>
        <translation>Ultimo accesso</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>Nome completo</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Aggiungi</translation>
    </message>
    <message>
        <source>Set role</source>
        <translation>Imposta ruolo</translation>
    </message>
    <message>
        <source>Reset PIN/password</source>
        <translation>Reimposta PIN/password</translation>
    </message>
    <message>
        <source>Disable</source>
        <translation>Disattiva</translation>
    </message>
    <message>
        <source>Enable</source>
        <translation>Attiva</translation>
    </message>
    <message>
        <source>disabled</source>
        <translation>disattivato</translation>
    </message>
    <message>
        <source>locked until {when}</source>
        <translation>bloccato fino alle {when}</translation>
    </message>
    <message>
        <source>active</source>
        <translation>attivo</translation>
    </message>
    <message>
        <source>{name} added</source>
        <translation>{name} aggiunto</translation>
    </message>
    <message>
        <source>{name} is now {role}</source>
        <translation>{name} ora è {role}</translation>
    </message>
    <message>
        <source>{name} reset and unlocked</source>
        <translation>{name} reimpostato e sbloccato</translation>
    </message>
    <message>
        <source>{name} disabled</source>
        <translation>{name} disattivato</translation>
    </message>
    <message>
        <source>{name} enabled</source>
        <translation>{name} attivato</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <source>Second person</source>
        <translation>Seconda persona</translation>
    </message>
    <message>
        <source>Their PIN</source>
        <translation>Il suo PIN</translation>
    </message>
    <message>
        <source>Their password</source>
        <translation>La sua password</translation>
    </message>
    <message>
        <source>Sign and send</source>
        <translation>Firma e invia</translation>
    </message>
    <message>
        <source>Choose or type a reason</source>
        <translation>Scegli o scrivi un motivo</translation>
    </message>
    <message>
        <source>Choose the second person</source>
        <translation>Scegli la seconda persona</translation>
    </message>
    <message>
        <source>Signed out</source>
        <translation>Nessun accesso</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Nome utente</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Accedi</translation>
    </message>
    <message>
        <source>Signed in: {who}. Sign in as someone else to switch.</source>
        <translation>Accesso: {who}. Accedi come un altro utente per cambiare.</translation>
    </message>
    <message>
        <source>Nobody is signed in.</source>
        <translation>Nessuno ha effettuato l&apos;accesso.</translation>
    </message>
    <message>
        <source>Touch your name and type your PIN, or hold your badge to the reader.</source>
        <translation>Tocca il tuo nome e digita il PIN, oppure avvicina il badge al lettore.</translation>
    </message>
    <message>
        <source>Type your user name and password, or use your badge.</source>
        <translation>Digita nome utente e password, oppure usa il badge.</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>Esci</translation>
    </message>
    <message>
        <source>Touch your name first</source>
        <translation>Prima tocca il tuo nome</translation>
    </message>
    <message>
        <source>signed out</source>
        <translation>uscita</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>Utenti</translation>
    </message>
    <message>
        <source>nobody is signed in; sign in first</source>
        <translation>nessuno ha effettuato l&apos;accesso; accedere prima</translation>
    </message>
    <message>
        <source>{user} is not signed in at this station; sign in first</source>
        <translation>{user} non ha effettuato l&apos;accesso a questa postazione; accedere prima</translation>
    </message>
    <message>
        <source>user {user} no longer exists</source>
        <translation>l&apos;utente {user} non esiste più</translation>
    </message>
    <message>
        <source>user {user} is disabled</source>
        <translation>l&apos;utente {user} è disabilitato</translation>
    </message>
    <message>
        <source>{user}&apos;s role &apos;{role}&apos; is not defined in the project</source>
        <translation>il ruolo &apos;{role}&apos; di {user} non è definito nel progetto</translation>
    </message>
    <message>
        <source>{user} ({role}) may not do this: the role lacks the permission {permission}</source>
        <translation>{user} ({role}) non può farlo: al ruolo manca il permesso {permission}</translation>
    </message>
    <message>
        <source>{user} ({role}) may not do this on {target}: the role lacks the permission {permission}</source>
        <translation>{user} ({role}) non può farlo su {target}: al ruolo manca il permesso {permission}</translation>
    </message>
    <message>
        <source>{what} needs an electronic signature ({meaning})</source>
        <translation>{what} richiede una firma elettronica ({meaning})</translation>
    </message>
    <message>
        <source>{what} needs an electronic signature and a second person&apos;s ({meaning})</source>
        <translation>{what} richiede una firma elettronica e quella di una seconda persona ({meaning})</translation>
    </message>
    <message>
        <source>{what} needs a second person&apos;s signature ({meaning})</source>
        <translation>{what} richiede la firma di una seconda persona ({meaning})</translation>
    </message>
    <message>
        <source>the station is stopping</source>
        <translation>la postazione si sta arrestando</translation>
    </message>
    <message>
        <source>users could not be loaded</source>
        <translation>impossibile caricare gli utenti</translation>
    </message>
    <message>
        <source>Operator</source>
        <extracomment>the titles of ``hmi.core.users.BUILTIN_ROLES`` (a test keeps them the same)</extracomment>
        <translation>Operatore</translation>
    </message>
    <message>
        <source>Shift lead</source>
        <translation>Capoturno</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>Supervisore</translation>
    </message>
    <message>
        <source>Engineer</source>
        <translation>Ingegnere</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>Amministratore</translation>
    </message>
</context>
<context>
    <name>Vision</name>
    <message>
        <source>image not readable</source>
        <translation>immagine illeggibile</translation>
    </message>
    <message>
        <source>Open an image first</source>
        <translation>Apri prima un&apos;immagine</translation>
    </message>
    <message>
        <source>The evidence cannot be read: {why}</source>
        <translation>Le immagini di ispezione non si possono leggere: {why}</translation>
    </message>
    <message>
        <source>Which camera?</source>
        <translation>Quale telecamera?</translation>
    </message>
    <message>
        <source>All cameras</source>
        <translation>Tutte le telecamere</translation>
    </message>
    <message>
        <source>Which order?</source>
        <translation>Quale ordine?</translation>
    </message>
    <message>
        <source>All orders</source>
        <translation>Tutti gli ordini</translation>
    </message>
    <message>
        <source>Which class?</source>
        <translation>Quale classe?</translation>
    </message>
    <message>
        <source>All classes</source>
        <translation>Tutte le classi</translation>
    </message>
    <message>
        <source>Reading the image …</source>
        <translation>Lettura dell&apos;immagine …</translation>
    </message>
    <message>
        <source>The image cannot be read: {path}</source>
        <translation>L&apos;immagine non si può leggere: {path}</translation>
    </message>
    <message>
        <source>{n} found</source>
        <translation>trovati: {n}</translation>
    </message>
    <message>
        <source>none</source>
        <translation>nessuno</translation>
    </message>
    <message>
        <source>no order running</source>
        <translation>nessun ordine in corso</translation>
    </message>
    <message>
        <source>{model}: decided {result}</source>
        <translation>{model}: deciso {result}</translation>
    </message>
    <message>
        <source>Overrule: {camera} at {time} was decided {result}. What is it?</source>
        <translation>Correggi: {camera} alle {time} ha deciso {result}. Che cos&apos;è?</translation>
    </message>
    <message>
        <source>Order {order}: one piece moves between good and scrap.</source>
        <translation>Ordine {order}: un pezzo passa tra buoni e scarti.</translation>
    </message>
    <message>
        <source>No order was running: no count changes.</source>
        <translation>Nessun ordine era in corso: nessun conteggio cambia.</translation>
    </message>
    <message>
        <source>Good</source>
        <translation>Buono</translation>
    </message>
    <message>
        <source>Confirm the decision {result} of {camera} at {time}</source>
        <translation>Conferma la decisione {result} di {camera} alle {time}</translation>
    </message>
    <message>
        <source>Overrule the decision {result} of {camera} at {time}</source>
        <translation>Correggi la decisione {result} di {camera} alle {time}</translation>
    </message>
    <message>
        <source>Camera: {name}</source>
        <translation>Telecamera: {name}</translation>
    </message>
    <message>
        <source>Order: {number}</source>
        <translation>Ordine: {number}</translation>
    </message>
    <message>
        <source>Class: {name}</source>
        <translation>Classe: {name}</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>Punteggio</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Tutti</translation>
    </message>
    <message>
        <source>Defect</source>
        <translation>Difetto</translation>
    </message>
    <message>
        <source>To review</source>
        <translation>Da rivedere</translation>
    </message>
    <message>
        <source>Reviewed</source>
        <translation>Rivisti</translation>
    </message>
    <message>
        <source>{n} images (newest {limit})</source>
        <translation>{n} immagini (le {limit} più recenti)</translation>
    </message>
    <message>
        <source>{n} images</source>
        <translation>{n} immagini</translation>
    </message>
    <message>
        <source>⟳ Refresh</source>
        <translation>⟳ Aggiorna</translation>
    </message>
    <message>
        <source>◀ All images</source>
        <translation>◀ Tutte le immagini</translation>
    </message>
    <message>
        <source>◀ Newer</source>
        <translation>◀ Più recente</translation>
    </message>
    <message>
        <source>Older ▶</source>
        <translation>Più vecchia ▶</translation>
    </message>
    <message>
        <source>✓ Confirm</source>
        <translation>✓ Conferma</translation>
    </message>
    <message>
        <source>⇄ Overrule…</source>
        <translation>⇄ Correggi…</translation>
    </message>
    <message>
        <source>Score / limit</source>
        <translation>Punteggio / soglia</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Ordine</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>Telecamera</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Ora</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modello</translation>
    </message>
    <message>
        <source>Boxes</source>
        <translation>Riquadri</translation>
    </message>
    <message>
        <source>Not reviewed yet.</source>
        <translation>Non ancora rivisto.</translation>
    </message>
    <message>
        <source>Confirmed by {user} at {time}.</source>
        <translation>Confermato da {user} alle {time}.</translation>
    </message>
    <message>
        <source>Overruled by {user} at {time}: now {result}.</source>
        <translation>Corretto da {user} alle {time}: ora {result}.</translation>
    </message>
    <message>
        <source>Order {order} corrected: {good} good, {scrap} scrap.</source>
        <translation>Ordine {order} corretto: {good} buoni, {scrap} scarti.</translation>
    </message>
    <message>
        <source>No order corrected: {why}.</source>
        <translation>Nessun ordine corretto: {why}.</translation>
    </message>
    <message>
        <source>Confirmed: {result} on {camera} at {time}</source>
        <translation>Confermato: {result} su {camera} alle {time}</translation>
    </message>
    <message>
        <source>Overruled: order {order} now {good} good, {scrap} scrap</source>
        <translation>Corretto: ordine {order} ora {good} buoni, {scrap} scarti</translation>
    </message>
    <message>
        <source>Overruled: now {result}; order {order} could not be corrected</source>
        <translation>Corretto: ora {result}; l&apos;ordine {order} non si è potuto correggere</translation>
    </message>
    <message>
        <source>Overruled: now {result}; no order to correct</source>
        <translation>Corretto: ora {result}; nessun ordine da correggere</translation>
    </message>
    <message>
        <source>sidecar file</source>
        <translation>file accanto al modello</translation>
    </message>
    <message>
        <source>model metadata</source>
        <translation>metadati del modello</translation>
    </message>
    <message>
        <source>⚠ inferred — check</source>
        <translation>⚠ dedotto — verificare</translation>
    </message>
    <message>
        <source>cannot be loaded</source>
        <translation>non si può caricare</translation>
    </message>
    <message>
        <source>used by {cameras}</source>
        <translation>usato da {cameras}</translation>
    </message>
    <message>
        <source>not in use</source>
        <translation>non in uso</translation>
    </message>
    <message>
        <source>No models</source>
        <translation>Nessun modello</translation>
    </message>
    <message>
        <source>This model cannot be used: {why}</source>
        <translation>Questo modello non si può usare: {why}</translation>
    </message>
    <message>
        <source>{accuracy} right on {n} images</source>
        <translation>{accuracy} corrette su {n} immagini</translation>
    </message>
    <message>
        <source>not yet</source>
        <translation>non ancora</translation>
    </message>
    <message>
        <source>added at this station by {user}, {time}</source>
        <translation>aggiunto in questa postazione da {user}, {time}</translation>
    </message>
    <message>
        <source>from the project</source>
        <translation>dal progetto</translation>
    </message>
    <message>
        <source>Model {name} added: {kind}</source>
        <translation>Modello {name} aggiunto: {kind}</translation>
    </message>
    <message>
        <source>Choose a model first</source>
        <translation>Scegli prima un modello</translation>
    </message>
    <message>
        <source>Every camera inspects with {name} already</source>
        <translation>Tutte le telecamere ispezionano già con {name}</translation>
    </message>
    <message>
        <source>Which camera inspects with {name} from now on?</source>
        <translation>Quale telecamera ispeziona con {name} da ora?</translation>
    </message>
    <message>
        <source>Camera {camera}: model {old} → {new}?</source>
        <translation>Telecamera {camera}: modello {old} → {new}?</translation>
    </message>
    <message>
        <source>The next parts are inspected with {new}; the switch is kept in the audit trail.</source>
        <translation>I prossimi pezzi sono ispezionati con {new}; il cambio resta nel registro delle azioni.</translation>
    </message>
    <message>
        <source>Switch model</source>
        <translation>Cambia modello</translation>
    </message>
    <message>
        <source>{camera} inspects with {model} from now on</source>
        <translation>{camera} ispeziona con {model} da ora</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelli</translation>
    </message>
    <message>
        <source>+ Add model…</source>
        <translation>+ Aggiungi modello…</translation>
    </message>
    <message>
        <source>Test on samples</source>
        <translation>Prova sui campioni</translation>
    </message>
    <message>
        <source>Use on camera…</source>
        <translation>Usa su telecamera…</translation>
    </message>
    <message>
        <source>Settings and where each comes from</source>
        <translation>Impostazioni e da dove viene ciascuna</translation>
    </message>
    <message>
        <source>Cameras using it</source>
        <translation>Telecamere che lo usano</translation>
    </message>
    <message>
        <source>File</source>
        <translation>File</translation>
    </message>
    <message>
        <source>Origin</source>
        <translation>Origine</translation>
    </message>
    <message>
        <source>Last test</source>
        <translation>Ultima prova</translation>
    </message>
    <message>
        <source>Test run of {name}</source>
        <translation>Prova di {name}</translation>
    </message>
    <message>
        <source>False accept (defects passed)</source>
        <translation>Falsi accettati (difetti passati)</translation>
    </message>
    <message>
        <source>False reject (good scrapped)</source>
        <translation>Falsi scarti (buoni scartati)</translation>
    </message>
    <message>
        <source>Accuracy</source>
        <translation>Accuratezza</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Immagini</translation>
    </message>
    <message>
        <source>Time per image</source>
        <translation>Tempo per immagine</translation>
    </message>
    <message>
        <source>Threshold</source>
        <translation>Soglia</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Chiudi</translation>
    </message>
    <message>
        <source>Testing {name} …</source>
        <translation>Prova di {name} …</translation>
    </message>
    <message>
        <source>Testing: {done} of {total} images</source>
        <translation>Prova: {done} di {total} immagini</translation>
    </message>
    <message>
        <source>The test could not run: {why}</source>
        <translation>La prova non è partita: {why}</translation>
    </message>
    <message>
        <source>Decided good</source>
        <translation>Deciso buono</translation>
    </message>
    <message>
        <source>Decided defect</source>
        <translation>Deciso difetto</translation>
    </message>
    <message>
        <source>Truly good</source>
        <translation>Davvero buono</translation>
    </message>
    <message>
        <source>Truly defect</source>
        <translation>Davvero difetto</translation>
    </message>
    <message>
        <source>{n} files not decided, e.g. {first}</source>
        <translation>{n} file non decisi, ad es. {first}</translation>
    </message>
    <message>
        <source>{name} tested on {n} images: {accuracy} right</source>
        <translation>{name} provato su {n} immagini: {accuracy} corrette</translation>
    </message>
    <message>
        <source>Add a model</source>
        <translation>Aggiungi un modello</translation>
    </message>
    <message>
        <source>ONNX file</source>
        <translation>File ONNX</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Sfoglia…</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nome</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Aggiungi</translation>
    </message>
    <message>
        <source>Give the model file and a name</source>
        <translation>Indica il file del modello e un nome</translation>
    </message>
    <message>
        <source>Not inspected</source>
        <translation>Non ispezionato</translation>
    </message>
    <message>
        <source>{reason} (needs the permission {permission})</source>
        <translation>{reason} (serve il permesso {permission})</translation>
    </message>
</context>
<context>
    <name>VisionLive</name>
    <message>
        <source>Inspection</source>
        <translation>Ispezione</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>Telecamera</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelli</translation>
    </message>
    <message>
        <source>GOOD</source>
        <translation>BUONO</translation>
    </message>
    <message>
        <source>DEFECT: {label}</source>
        <translation>DIFETTO: {label}</translation>
    </message>
    <message>
        <source>DEFECT</source>
        <translation>DIFETTO</translation>
    </message>
    <message>
        <source>NOT INSPECTED</source>
        <translation>NON ISPEZIONATO</translation>
    </message>
    <message>
        <source>No part yet</source>
        <translation>Nessun pezzo ancora</translation>
    </message>
    <message>
        <source>Inspection unavailable</source>
        <translation>Ispezione non disponibile</translation>
    </message>
    <message>
        <source>Camera connecting</source>
        <translation>Telecamera in connessione</translation>
    </message>
    <message>
        <source>Camera stalled: no new images</source>
        <translation>Telecamera ferma: nessuna nuova immagine</translation>
    </message>
    <message>
        <source>Camera failed</source>
        <translation>Telecamera guasta</translation>
    </message>
    <message>
        <source>Camera stopped</source>
        <translation>Telecamera spenta</translation>
    </message>
    <message>
        <source>{why}. Parts are counted as not inspected.</source>
        <translation>{why}. I pezzi sono contati senza ispezione.</translation>
    </message>
    <message>
        <source>score {score}</source>
        <translation>punteggio {score}</translation>
    </message>
    <message>
        <source>{verdict} · part {part} · {time} · {detail}</source>
        <translation>{verdict} · pezzo {part} · {time} · {detail}</translation>
    </message>
    <message>
        <source>No image</source>
        <translation>Nessuna immagine</translation>
    </message>
    <message>
        <source>Parts are counted as not inspected: {reason}</source>
        <translation>I pezzi sono contati senza ispezione: {reason}</translation>
    </message>
    <message>
        <source>Good</source>
        <translation>Buoni</translation>
    </message>
    <message>
        <source>Scrap</source>
        <translation>Scarti</translation>
    </message>
    <message>
        <source>Not inspected</source>
        <translation>Senza ispezione</translation>
    </message>
    <message>
        <source>Defects</source>
        <translation>Difetti</translation>
    </message>
    <message>
        <source>Defect rate</source>
        <translation>Tasso difetti</translation>
    </message>
    <message>
        <source>model {model}</source>
        <translation>modello {model}</translation>
    </message>
    <message>
        <source>part {part}</source>
        <translation>pezzo {part}</translation>
    </message>
    <message>
        <source>Inspection: {camera}</source>
        <translation>Ispezione: {camera}</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Chiudi</translation>
    </message>
    <message>
        <source>Live · {fps} images/s · model {model}</source>
        <translation>Dal vivo · {fps} immagini/s · modello {model}</translation>
    </message>
    <message>
        <source>No part decided yet</source>
        <translation>Nessun pezzo ancora deciso</translation>
    </message>
    <message>
        <source>Part {part} · {time}</source>
        <translation>Pezzo {part} · {time}</translation>
    </message>
    <message>
        <source>Score {score} · model {model}</source>
        <translation>Punteggio {score} · modello {model}</translation>
    </message>
    <message>
        <source>Decided {ms} ms after the image</source>
        <translation>Deciso {ms} ms dopo l&apos;immagine</translation>
    </message>
    <message>
        <source>Found: {found}</source>
        <translation>Trovato: {found}</translation>
    </message>
    <message>
        <source>Good {good} · Scrap {scrap} · Not inspected {uninspected} · Defect rate {rate}</source>
        <translation>Buoni {good} · Scarti {scrap} · Senza ispezione {uninspected} · Tasso difetti {rate}</translation>
    </message>
</context>
<context>
    <name>Writes</name>
    <message>
        <source>unknown tag &apos;{tag}&apos;</source>
        <extracomment>(tag, status &quot;done&quot; / &quot;refused&quot; / &quot;failed&quot;, message for the operator) where symbols find the ``WriteGate`` in their context&apos;s ``extra`` device states in which a write cannot reach the PLC (degraded still answers)</extracomment>
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
    <message>
        <source>{device} is {state}</source>
        <translation>{device}: {state}</translation>
    </message>
</context>
</TS>

package dev.asyncrl.rollout.apiworld;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncrl.rollout.apiworld.World.Contact;
import dev.asyncrl.rollout.apiworld.World.Event;
import dev.asyncrl.rollout.apiworld.World.Note;
import dev.asyncrl.rollout.apiworld.World.Payment;
import dev.asyncrl.rollout.tools.OrderedMap;
import dev.asyncrl.rollout.tools.Tool;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * One function of apiworld's four apps, as the model calls it: its name, what it does, its arguments as a JSON
 * schema, and what it does to a {@link World}. A bad argument is an {@link IllegalArgumentException} whose
 * message the model reads.
 */
record Api(String app, String name, String description, Map<String, Object> parameters,
           BiFunction<World, Args, Object> run) {

  /** The apps, each a group of functions. */
  static final List<String> APPS = List.of("contacts", "calendar", "notes", "payments");

  /** The name {@code complete_task} ends an episode by. */
  static final String COMPLETE = "complete_task";

  Map<String, Object> schema() {
    return Tool.schema(name, description, parameters);
  }

  Object call(World world, JsonNode arguments) {
    return run.apply(world, new Args(this, arguments));
  }

  /** The arguments of one call, read by name with the checks their schema states. */
  static final class Args {
    private final Api api;
    private final JsonNode node;

    Args(Api api, JsonNode node) {
      this.api = api;
      this.node = node;
      @SuppressWarnings("unchecked")
      Map<String, Object> declared = (Map<String, Object>) api.parameters().get("properties");
      for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!declared.containsKey(name)) {
          throw new IllegalArgumentException(api.name() + " has no argument '" + name + "'; it takes "
              + String.join(", ", declared.keySet()));
        }
      }
    }

    private JsonNode required(String name) {
      JsonNode v = node.get(name);
      if (v == null || v.isNull()) {
        throw new IllegalArgumentException(api.name() + " needs '" + name + "'");
      }
      return v;
    }

    String text(String name) {
      JsonNode v = required(name);
      if (!v.isTextual() || v.asText().isBlank()) {
        throw new IllegalArgumentException(api.name() + ": '" + name + "' must be a non-empty string");
      }
      return v.asText().strip();
    }

    boolean has(String name) {
      return node.hasNonNull(name);
    }

    String optionalText(String name) {
      return has(name) ? text(name) : null;
    }

    int id(String name) {
      JsonNode v = required(name);
      if (!v.canConvertToInt() || v.isFloatingPointNumber() && v.asDouble() != Math.rint(v.asDouble())) {
        throw new IllegalArgumentException(api.name() + ": '" + name + "' must be a whole number");
      }
      return v.asInt();
    }

    List<Integer> ids(String name) {
      JsonNode v = required(name);
      if (!v.isArray()) {
        throw new IllegalArgumentException(api.name() + ": '" + name + "' must be a list of contact ids");
      }
      List<Integer> ids = new ArrayList<>();
      for (JsonNode id : v) {
        if (!id.canConvertToInt()) {
          throw new IllegalArgumentException(api.name() + ": '" + name + "' must be a list of contact ids");
        }
        ids.add(id.asInt());
      }
      return ids;
    }

    String day(String name) {
      String day = text(name);
      for (String d : World.DAYS) {
        if (d.equalsIgnoreCase(day)) {
          return d;
        }
      }
      throw new IllegalArgumentException(api.name() + ": '" + name + "' must be one of " + String.join(", ", World.DAYS));
    }

    int hour(String name) {
      int hour = id(name);
      if (hour < 8 || hour > 18) {
        throw new IllegalArgumentException(api.name() + ": '" + name + "' must be an hour from 8 to 18");
      }
      return hour;
    }

    long cents(String name) {
      JsonNode v = required(name);
      BigDecimal amount;
      try {
        amount = v.isNumber() ? v.decimalValue() : new BigDecimal(v.asText().strip().replace("$", ""));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(api.name() + ": '" + name + "' must be an amount of dollars");
      }
      if (amount.signum() <= 0 || amount.scale() > 2 && amount.stripTrailingZeros().scale() > 2) {
        throw new IllegalArgumentException(api.name() + ": '" + name + "' must be a positive amount in dollars and cents");
      }
      return amount.movePointRight(2).longValueExact();
    }
  }

  /** {@code {"type": "object", "properties": …, "required": …}} from (name, type, description) triples. */
  private static Map<String, Object> object(List<String> required, String... triples) {
    Map<String, Object> properties = new LinkedHashMap<>();
    for (int i = 0; i < triples.length; i += 3) {
      Map<String, Object> p = new LinkedHashMap<>();
      if (triples[i + 1].equals("ids")) {
        p.put("type", "array");
        p.put("items", OrderedMap.of("type", "integer"));
      } else {
        p.put("type", triples[i + 1]);
      }
      p.put("description", triples[i + 2]);
      properties.put(triples[i], p);
    }
    return OrderedMap.of("type", "object", "properties", properties, "required", required);
  }

  static String dollars(long cents) {
    return BigDecimal.valueOf(cents, 2).toPlainString();
  }

  private static Map<String, Object> shown(Payment p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", p.id());
    m.put("contact_id", p.contactId());
    m.put("amount", dollars(p.cents()));
    m.put("memo", p.memo());
    return m;
  }

  private static String ok(String what) {
    return "ok: " + what;
  }

  /** The functions, in the order the model is told about them. */
  static final List<Api> ALL = List.of(
      // contacts
      new Api("contacts", "search_contacts", "Find contacts whose name contains the query (case-insensitive).",
          object(List.of("query"), "query", "string", "part of a name"),
          (w, a) -> {
            String q = a.text("query").toLowerCase(Locale.ROOT);
            return w.contacts.values().stream().filter(c -> c.name().toLowerCase(Locale.ROOT).contains(q)).toList();
          }),
      new Api("contacts", "get_contact", "A contact's name, phone and email.",
          object(List.of("contact_id"), "contact_id", "integer", "the contact's id"),
          (w, a) -> w.contact(a.id("contact_id"))),
      new Api("contacts", "add_contact", "Add a contact; returns its id.",
          object(List.of("name", "phone", "email"), "name", "string", "full name", "phone", "string", "phone number",
              "email", "string", "email address"),
          (w, a) -> {
            Contact c = new Contact(w.newId(), a.text("name"), a.text("phone"), a.text("email"));
            w.contacts.put(c.id(), c);
            return OrderedMap.of("contact_id", c.id());
          }),
      new Api("contacts", "update_contact", "Change a contact's phone and/or email.",
          object(List.of("contact_id"), "contact_id", "integer", "the contact's id", "phone", "string",
              "the new phone number", "email", "string", "the new email address"),
          (w, a) -> {
            Contact c = w.contact(a.id("contact_id"));
            String phone = a.optionalText("phone");
            String email = a.optionalText("email");
            w.contacts.put(c.id(), new Contact(c.id(), c.name(), phone == null ? c.phone() : phone,
                email == null ? c.email() : email));
            return ok("contact " + c.id() + " updated");
          }),
      new Api("contacts", "delete_contact", "Delete a contact.",
          object(List.of("contact_id"), "contact_id", "integer", "the contact's id"),
          (w, a) -> {
            w.contacts.remove(w.contact(a.id("contact_id")).id());
            return ok("contact deleted");
          }),
      // calendar
      new Api("calendar", "list_events", "The calendar's events, optionally of one day (Monday to Friday).",
          object(List.of(), "day", "string", "a day, e.g. Friday"),
          (w, a) -> {
            String day = a.optionalText("day") == null ? null : a.day("day");
            return w.events.values().stream().filter(e -> day == null || e.day().equals(day)).toList();
          }),
      new Api("calendar", "get_event", "An event's title, day, hour and attendee contact ids.",
          object(List.of("event_id"), "event_id", "integer", "the event's id"),
          (w, a) -> w.event(a.id("event_id"))),
      new Api("calendar", "create_event", "Create an event; returns its id.",
          object(List.of("title", "day", "hour", "attendees"), "title", "string", "what it is", "day", "string",
              "Monday to Friday", "hour", "integer", "start hour, 8 to 18", "attendees", "ids", "contact ids"),
          (w, a) -> {
            List<Integer> attendees = a.ids("attendees");
            attendees.forEach(w::contact);
            Event e = new Event(w.newId(), a.text("title"), a.day("day"), a.hour("hour"), attendees);
            w.events.put(e.id(), e);
            return OrderedMap.of("event_id", e.id());
          }),
      new Api("calendar", "move_event", "Move an event to another day and/or hour.",
          object(List.of("event_id"), "event_id", "integer", "the event's id", "day", "string", "the new day",
              "hour", "integer", "the new start hour"),
          (w, a) -> {
            Event e = w.event(a.id("event_id"));
            String day = a.optionalText("day") == null ? e.day() : a.day("day");
            int hour = a.has("hour") ? a.hour("hour") : e.hour();
            w.events.put(e.id(), new Event(e.id(), e.title(), day, hour, e.attendees()));
            return ok("event " + e.id() + " is on " + day + " at " + hour + ":00");
          }),
      new Api("calendar", "cancel_event", "Delete an event.",
          object(List.of("event_id"), "event_id", "integer", "the event's id"),
          (w, a) -> {
            w.events.remove(w.event(a.id("event_id")).id());
            return ok("event cancelled");
          }),
      new Api("calendar", "add_attendee", "Invite a contact to an event.",
          object(List.of("event_id", "contact_id"), "event_id", "integer", "the event's id", "contact_id", "integer",
              "the contact's id"),
          (w, a) -> {
            Event e = w.event(a.id("event_id"));
            int contact = w.contact(a.id("contact_id")).id();
            if (!e.attendees().contains(contact)) {
              List<Integer> attendees = new ArrayList<>(e.attendees());
              attendees.add(contact);
              w.events.put(e.id(), new Event(e.id(), e.title(), e.day(), e.hour(), attendees));
            }
            return ok("contact " + contact + " attends event " + e.id());
          }),
      new Api("calendar", "remove_attendee", "Take a contact off an event.",
          object(List.of("event_id", "contact_id"), "event_id", "integer", "the event's id", "contact_id", "integer",
              "the contact's id"),
          (w, a) -> {
            Event e = w.event(a.id("event_id"));
            int contact = a.id("contact_id");
            List<Integer> attendees = new ArrayList<>(e.attendees());
            if (!attendees.remove(Integer.valueOf(contact))) {
              throw new IllegalArgumentException("contact " + contact + " does not attend event " + e.id());
            }
            w.events.put(e.id(), new Event(e.id(), e.title(), e.day(), e.hour(), attendees));
            return ok("contact " + contact + " removed from event " + e.id());
          }),
      // notes
      new Api("notes", "list_notes", "Every note's id and title.", object(List.of()),
          (w, a) -> w.notes.values().stream().map(n -> OrderedMap.of("id", n.id(), "title", n.title())).toList()),
      new Api("notes", "read_note", "A note's title and text.",
          object(List.of("note_id"), "note_id", "integer", "the note's id"),
          (w, a) -> w.note(a.id("note_id"))),
      new Api("notes", "create_note", "Write a new note; returns its id.",
          object(List.of("title", "body"), "title", "string", "the title", "body", "string", "the text"),
          (w, a) -> {
            Note n = new Note(w.newId(), a.text("title"), a.text("body"));
            w.notes.put(n.id(), n);
            return OrderedMap.of("note_id", n.id());
          }),
      new Api("notes", "append_to_note", "Add a line at the end of a note.",
          object(List.of("note_id", "text"), "note_id", "integer", "the note's id", "text", "string", "the line to add"),
          (w, a) -> {
            Note n = w.note(a.id("note_id"));
            w.notes.put(n.id(), new Note(n.id(), n.title(), n.body() + "\n" + a.text("text")));
            return ok("note " + n.id() + " appended");
          }),
      new Api("notes", "delete_note", "Delete a note.",
          object(List.of("note_id"), "note_id", "integer", "the note's id"),
          (w, a) -> {
            w.notes.remove(w.note(a.id("note_id")).id());
            return ok("note deleted");
          }),
      // payments
      new Api("payments", "get_balance", "The wallet's balance in dollars.", object(List.of()),
          (w, a) -> OrderedMap.of("balance", dollars(w.balanceCents))),
      new Api("payments", "send_payment", "Send money to a contact.",
          object(List.of("contact_id", "amount", "memo"), "contact_id", "integer", "who is paid", "amount", "number",
              "dollars, e.g. 12.50", "memo", "string", "what it is for"),
          (w, a) -> {
            int contact = w.contact(a.id("contact_id")).id();
            long cents = a.cents("amount");
            if (cents > w.balanceCents) {
              throw new IllegalArgumentException("the balance is " + dollars(w.balanceCents) + ", less than " + dollars(cents));
            }
            Payment p = new Payment(w.newId(), contact, cents, a.text("memo"));
            w.payments.put(p.id(), p);
            w.balanceCents -= cents;
            return OrderedMap.of("payment_id", p.id(), "balance", dollars(w.balanceCents));
          }),
      new Api("payments", "list_payments", "Payments sent so far.", object(List.of()),
          (w, a) -> w.payments.values().stream().map(Api::shown).toList()),
      new Api("", COMPLETE, "Say the task is done; ends the episode.", object(List.of()), (w, a) -> ok("task completed")));
}

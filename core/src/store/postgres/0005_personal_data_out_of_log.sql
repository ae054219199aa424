-- Erasure (right to deletion): a resident's personal data lives only in its row.
-- `erased_at` marks a resident whose name, phone, ID number and address were erased.
ALTER TABLE residents ADD COLUMN erased_at TIMESTAMPTZ;

-- Events written before this version carried residents' personal data in their command and
-- after-image; withhold it as the Hub now does for every new event (rules::audit). The
-- resident registered or updated is the only record such an event wrote.
UPDATE events SET payload = jsonb_set(
        jsonb_set(payload, '{command}', (payload -> 'command')
            || '{"name": "", "phone": null, "id_number": null, "address": null}'::jsonb),
        '{changes,0,record}', (payload -> 'changes' -> 0 -> 'record')
            || '{"name": "", "phone": null, "id_number": null, "address": null, "masked": true}'::jsonb)
    WHERE kind IN ('resident_registered', 'resident_updated');

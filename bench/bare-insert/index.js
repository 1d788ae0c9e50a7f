// The baseline for `cargo xtask bench`: the least a Worker can do per consent — parse the JSON
// body and run one D1 insert. The real worker's ingestion rate is reported against this one,
// measured in the same run on the same machine.
export default {
  async fetch(request, env) {
    if (request.method !== 'POST') return new Response('ok');
    const body = await request.json();
    await env.DB.prepare('INSERT INTO bare (id, email, at) VALUES (?1, ?2, ?3)')
      .bind(crypto.randomUUID(), body.email, new Date().toISOString())
      .run();
    return Response.json({ ok: true }, { status: 201 });
  },
};

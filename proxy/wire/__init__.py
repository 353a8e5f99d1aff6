"""Wire APIs: codecs between the client's (or an upstream's) API and the chat form the chain speaks.

Inside the chain every request body is a chat-completions body (`ctx.body`) and every answer a
`chat.completion` object or a stream of `chat.completion.chunk` events, whatever the client
spoke, so each plugin is written once. The codecs translate at the two edges:

    client side   decode the client's request into the chat form (`codecs.decode`), and encode
                  answers, streams and errors back into the client's API (`codecs.for_api`)
    upstream side providers encode the chat form into their native API when they must, and
                  decode native answers into the chat view (keeping the native bytes)

    apis.py                the API names, the decoded-request record (`WireRequest`), shared helpers
    responses_request.py   Responses request  <-> chat body
    responses_answer.py    Response object    <-> chat.completion
    responses_stream.py    Responses events   <-> chat chunks (the upstream decoder, the edge encoder)
    messages_request.py    Messages request    -> chat body
    messages_answer.py     chat.completion     -> Message; Anthropic error shapes
    messages_stream.py     chat chunks / native events -> Messages events (the edge encoder)
    codecs.py              the registry the context, the edge and the providers use

When the client's API is also the upstream's and no layer changed the request, the client's
bytes go upstream as they are and the upstream's bytes come back as they are (see
docs/apis.md for what is forwarded untouched).
"""

# Earshot's container image, for machines with Docker (or Podman, Buildah):
#
#   docker build -t earshot:dev .
#   docker build -t earshot:full --build-arg TAGS=lingua .   # + lingua-go's long tail of languages
#
# Without a daemon, `make image` builds the same image as an OCI archive
# with scripts/image (go-containerregistry, no Docker needed); CI checks it.
# Both give: a static binary at /usr/local/bin/earshot, the example configs
# in /opt/earshot/configs, the non-root user 65532 owning /opt/earshot/data.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG TAGS=""
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -tags "${TAGS}" -o /out/earshot ./cmd/earshot && \
    mkdir -p /out/root/opt/earshot/data /out/root/etc /out/root/tmp && \
    cp -r configs /out/root/opt/earshot/ && \
    printf 'root:x:0:0:root:/root:/sbin/nologin\nearshot:x:65532:65532:Earshot:/opt/earshot:/sbin/nologin\n' > /out/root/etc/passwd && \
    printf 'root:x:0:\nearshot:x:65532:\n' > /out/root/etc/group && \
    chmod 1777 /out/root/tmp && chmod 750 /out/root/opt/earshot/data

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/root/ /
COPY --from=build --chown=65532:65532 /out/root/opt/earshot/data /opt/earshot/data
COPY --from=build /out/earshot /usr/local/bin/earshot
ENV PATH=/usr/local/bin:/usr/bin:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    EARSHOT_HTTP_LISTEN=0.0.0.0:8080 \
    EARSHOT_CONNECT_LISTEN=0.0.0.0:8081
WORKDIR /opt/earshot
USER 65532:65532
EXPOSE 8080 8081
VOLUME ["/opt/earshot/data"]
ENTRYPOINT ["/usr/local/bin/earshot"]
CMD ["run"]

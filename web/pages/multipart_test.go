package pages_test

import (
	"mime/multipart"
	"strings"
)

// multipartBody writes a one-file upload into b and returns its content type.
func multipartBody(b *strings.Builder, name, content string) string {
	mw := multipart.NewWriter(b)
	mw.WriteField("csrf_token", "tok-123")
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write([]byte(content))
	mw.Close()
	return mw.FormDataContentType()
}
